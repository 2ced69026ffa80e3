import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// The safety number: 60 digits and a QR code both people compare; Verify
// when they match, Trust after a key change.
FormPage {
    id: root
    objectName: "safetyNumberScreen"
    readonly property var conv: session.conversation
    readonly property var trust: session.trust
    title: "Safety number with " + conv.peerName
    subtitle: "Compare these digits with " + conv.peerName + " in person or on a call you trust. If they match, nobody sits between you."

    Banner {
        visible: root.conv.identityChanged
        Layout.fillWidth: true
        kind: "warning"
        title: "The safety number changed"
        text: "Compare the new number before you trust it. Until then, what you send waits."
    }
    Section {
        RowLayout {
            Layout.fillWidth: true
            spacing: 24
            GridLayout {
                objectName: "safetyDigits"
                columns: 4
                rowSpacing: 10
                columnSpacing: 18
                Accessible.role: Accessible.StaticText
                Accessible.name: "Safety number: " + root.trust.groups.join(" ")
                Repeater {
                    model: root.trust.groups
                    Label {
                        text: modelData
                        font.family: "monospace"
                        font.pixelSize: 22
                        font.letterSpacing: 1
                        color: Theme.text
                    }
                }
            }
            Item { Layout.fillWidth: true }
            QrCode {
                objectName: "safetyQr"
                text: root.trust.safetyNumber
                Layout.preferredWidth: 180
                Layout.preferredHeight: 180
                Accessible.role: Accessible.Graphic
                Accessible.name: "QR code of the safety number"
            }
        }
        BusyIndicator { running: root.trust.loading; visible: running }
        Label { visible: root.trust.error !== ""; text: root.trust.error; color: Theme.danger; wrapMode: Text.Wrap; Layout.fillWidth: true }
        Label {
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            color: root.conv.verified && !root.conv.identityChanged ? Theme.success : Theme.muted
            font.bold: root.conv.verified
            text: root.conv.verified && !root.conv.identityChanged ? "\u2713 You marked this safety number as verified."
                  : "Not verified yet. It is still encrypted end to end; verifying makes sure it is " + root.conv.peerName + " at the other end."
        }
    }
    RowLayout {
        Layout.fillWidth: true
        AppButton { text: "Back"; onClicked: home.show("conversation", { peerId: root.conv.peerId }) }
        Item { Layout.fillWidth: true }
        AppButton {
            visible: root.conv.identityChanged
            objectName: "trustButton"
            text: "Trust without comparing"
            onClicked: root.trust.trust()
        }
        AppButton {
            objectName: "verifyButton"
            primary: true
            text: "They match: mark as verified"
            enabled: root.trust.safetyNumber !== "" && (!root.conv.verified || root.conv.identityChanged)
            onClicked: root.trust.verify()
        }
    }
}
