import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// Unlock with the passphrase; while the key is derived (Argon2id, slow on
// purpose) and the contacts load, say so.
Item {
    id: root
    objectName: "unlockScreen"
    readonly property bool busy: session.state === Session.Unlocking

    Rectangle {
        width: Math.min(460, parent.width - 48)
        height: column.implicitHeight + 2 * 24
        anchors.centerIn: parent
        radius: Theme.radius
        color: Theme.surface
        border.color: Theme.border
        ColumnLayout {
            id: column
            anchors.fill: parent
            anchors.margins: 24
            spacing: Theme.gap
            Label {
                text: "SecureBase is locked"
                font.pixelSize: Theme.title
                font.bold: true
                Accessible.role: Accessible.Heading
                Accessible.name: text
            }
            Label {
                Layout.fillWidth: true
                wrapMode: Text.WordWrap
                color: Theme.muted
                text: "Enter your passphrase to open your conversations."
            }
            Field {
                id: passphrase
                objectName: "unlockPassphrase"
                Layout.fillWidth: true
                label: "Passphrase"
                echoMode: TextInput.Password
                enabled: !root.busy
                input.onAccepted: unlockButton.clicked()
                Component.onCompleted: input.forceActiveFocus()
            }
            Label {
                objectName: "unlockError"
                visible: session.error !== "" && !root.busy
                text: session.error
                color: Theme.danger
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
                Accessible.role: Accessible.AlertMessage
                Accessible.name: text
            }
            ColumnLayout {
                visible: root.busy
                Layout.fillWidth: true
                spacing: 6
                ProgressBar {
                    objectName: "unlockProgress"
                    indeterminate: true
                    Layout.fillWidth: true
                    Accessible.name: "Unlocking"
                }
                Label {
                    text: session.stage + "\u2026"
                    font.bold: true
                    color: Theme.primary
                    Accessible.role: Accessible.StaticText
                    Accessible.name: text
                }
                Label {
                    Layout.fillWidth: true
                    wrapMode: Text.WordWrap
                    font.pixelSize: Theme.small
                    color: Theme.muted
                    text: "This takes a moment on purpose: it makes guessing your passphrase slow."
                }
            }
            ServerSettings { id: server; Layout.fillWidth: true; visible: !root.busy }
            AppButton {
                id: unlockButton
                objectName: "unlockButton"
                primary: true
                text: "Unlock"
                enabled: !root.busy && passphrase.text !== ""
                Layout.alignment: Qt.AlignRight
                onClicked: {
                    if (server.expanded) server.apply()
                    session.unlock(passphrase.text)
                    passphrase.text = ""
                }
            }
        }
    }
}
