import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// The therapist invites a client: a one-time code and its QR code, and how
// long it stays valid.
FormPage {
    id: root
    objectName: "inviteScreen"
    readonly property var care: session.care
    title: "Invite a client"
    subtitle: "The code links one client to you. It carries a fingerprint of your key, so their app checks it is really you."

    Section {
        visible: root.care.inviteCode === ""
        RowLayout {
            spacing: Theme.gap
            Label { text: "Valid for" }
            ComboBox {
                id: validity
                objectName: "inviteValidity"
                model: ["1 day", "3 days", "7 days"]
                currentIndex: 2
                Accessible.name: "How long the invite stays valid"
            }
            AppButton {
                objectName: "createInviteButton"
                primary: true
                text: root.care.busy ? "Creating\u2026" : "Create invite"
                enabled: !root.care.busy
                onClicked: root.care.createInvite([24, 72, 168][validity.currentIndex])
            }
        }
    }
    Section {
        visible: root.care.inviteCode !== ""
        title: "Give this to your client"
        RowLayout {
            Layout.fillWidth: true
            spacing: 24
            ColumnLayout {
                Layout.fillWidth: true
                spacing: 10
                TextArea {
                    id: code
                    objectName: "inviteCode"
                    Layout.fillWidth: true
                    readOnly: true
                    selectByMouse: true
                    wrapMode: TextEdit.WrapAnywhere
                    font.family: "monospace"
                    font.pixelSize: 15
                    text: root.care.inviteCode
                    Accessible.name: "Invite code"
                    background: Rectangle { radius: 6; color: Theme.background; border.color: Theme.border }
                }
                Label {
                    objectName: "inviteExpiry"
                    Layout.fillWidth: true
                    wrapMode: Text.Wrap
                    text: "Valid until " + Qt.formatDateTime(root.care.inviteExpires, "dddd d MMMM yyyy, HH:mm") + ". It works once."
                    font.bold: true
                }
                Label {
                    Layout.fillWidth: true
                    wrapMode: Text.Wrap
                    color: Theme.muted
                    text: "Show the QR code or read the code out in session, or send it over a channel you trust. Anyone holding the code can link to you until it is used."
                }
                RowLayout {
                    AppButton {
                        objectName: "copyInviteButton"
                        text: "Copy code"
                        onClicked: { code.selectAll(); code.copy(); code.deselect(); session.dismissNotice() }
                    }
                    AppButton { text: "New invite"; onClicked: root.care.clearInvite() }
                }
            }
            QrCode {
                objectName: "inviteQr"
                text: root.care.inviteCode
                Layout.preferredWidth: 200
                Layout.preferredHeight: 200
                Accessible.role: Accessible.Graphic
                Accessible.name: "QR code of the invite code"
            }
        }
    }
}
