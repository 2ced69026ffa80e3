import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// First run: create an account (role, name, passphrase with a strength hint)
// and say where the server is.
Item {
    id: root
    objectName: "welcomeScreen"
    property string role: "client"
    readonly property var strength: session.passphraseStrength(passphrase.text)
    readonly property bool matches: passphrase.text === confirm.text
    readonly property bool ready: name.text.trim() !== "" && strength.acceptable && matches

    ScrollView {
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: Math.min(560, parent.width - 48)
            x: (parent.width - width) / 2
            spacing: Theme.gap
            Item { Layout.preferredHeight: 24 }
            Label {
                text: "Welcome to SecureBase"
                font.pixelSize: 28
                font.bold: true
                color: Theme.text
                Accessible.role: Accessible.Heading
                Accessible.name: text
            }
            Label {
                Layout.fillWidth: true
                wrapMode: Text.WordWrap
                color: Theme.muted
                text: "A private space between therapy sessions. What you write is encrypted on this computer before it leaves; the server only passes on what it cannot read."
            }
            Rectangle {
                Layout.fillWidth: true
                implicitHeight: form.implicitHeight + 2 * Theme.pad
                radius: Theme.radius
                color: Theme.surface
                border.color: Theme.border
                ColumnLayout {
                    id: form
                    anchors.fill: parent
                    anchors.margins: Theme.pad
                    spacing: Theme.gap
                    Label { text: "Create your account"; font.pixelSize: Theme.heading; font.bold: true }
                    Label { text: "I am"; font.pixelSize: Theme.small; font.bold: true; color: Theme.muted }
                    RowLayout {
                        spacing: 16
                        RadioButton {
                            id: clientRole
                            objectName: "roleClient"
                            text: "in therapy (a client)"
                            checked: root.role === "client"
                            Accessible.name: "Role: client"
                            onClicked: root.role = "client"
                        }
                        RadioButton {
                            objectName: "roleTherapist"
                            text: "a therapist"
                            checked: root.role === "therapist"
                            Accessible.name: "Role: therapist"
                            onClicked: root.role = "therapist"
                        }
                    }
                    Field {
                        id: name
                        objectName: "nameField"
                        Layout.fillWidth: true
                        label: root.role === "therapist" ? "Your name as clients will see it" : "Your first name or a name you like to be called"
                        placeholder: root.role === "therapist" ? "Dr Rivera" : "Sam"
                    }
                    Field {
                        id: passphrase
                        objectName: "passphraseField"
                        Layout.fillWidth: true
                        label: "Passphrase"
                        echoMode: TextInput.Password
                        help: "It unlocks your vault on this computer. Nobody, not even SecureBase, can recover it for you."
                    }
                    RowLayout {
                        Layout.fillWidth: true
                        visible: passphrase.text !== ""
                        Repeater {
                            model: 4
                            Rectangle {
                                Layout.fillWidth: true
                                height: 6
                                radius: 3
                                color: index < root.strength.score
                                       ? (root.strength.score <= 1 ? Theme.danger : root.strength.score === 2 ? Theme.warning : Theme.success)
                                       : Theme.border
                            }
                        }
                    }
                    Label {
                        objectName: "strengthHint"
                        visible: passphrase.text !== ""
                        Layout.fillWidth: true
                        wrapMode: Text.WordWrap
                        font.pixelSize: Theme.small
                        color: root.strength.acceptable ? Theme.muted : Theme.danger
                        text: "Strength: " + root.strength.label + ". " + root.strength.hint
                        Accessible.name: text
                    }
                    Field {
                        id: confirm
                        objectName: "confirmField"
                        Layout.fillWidth: true
                        label: "The same passphrase again"
                        echoMode: TextInput.Password
                        help: confirm.text !== "" && !root.matches ? "The two passphrases differ." : ""
                    }
                    Field {
                        id: token
                        visible: root.role === "therapist"
                        Layout.fillWidth: true
                        label: "Registration token (if your service gave you one)"
                    }
                    ServerSettings { id: server; Layout.fillWidth: true }
                    Label {
                        visible: session.error !== ""
                        text: session.error
                        color: Theme.danger
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                        Accessible.role: Accessible.AlertMessage
                        Accessible.name: text
                    }
                    AppButton {
                        objectName: "createButton"
                        primary: true
                        text: "Create my account"
                        enabled: root.ready
                        Layout.alignment: Qt.AlignRight
                        onClicked: {
                            server.apply()
                            session.createAccount(root.role, name.text, passphrase.text, token.text)
                            passphrase.text = ""
                            confirm.text = ""
                        }
                    }
                }
            }
            Label {
                Layout.fillWidth: true
                wrapMode: Text.WordWrap
                color: Theme.muted
                font.pixelSize: Theme.small
                text: "Vault folder: " + session.home + ". To open a vault in another folder, start SecureBase with --home DIR."
            }
            Item { Layout.preferredHeight: 24 }
        }
    }
}
