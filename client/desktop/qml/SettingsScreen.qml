import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// Server, automatic lock, export, ending a link, locking now.
FormPage {
    id: root
    objectName: "settingsScreen"
    title: "Settings"
    Section {
        title: "Server"
        Field { id: address; Layout.fillWidth: true; label: "Server address"; text: session.serverAddress }
        Field { id: ca; Layout.fillWidth: true; label: "Certificate authority file (PEM)"; text: session.caFile
                help: "Changes apply the next time you unlock." }
    }
    Section {
        title: "Lock"
        RowLayout {
            spacing: Theme.gap
            Label { text: "Lock after" }
            ComboBox {
                id: idle
                objectName: "idleMinutes"
                readonly property var choices: [1, 2, 5, 10, 15, 30, 60, 0]
                readonly property int value: choices[currentIndex]
                model: ["1", "2", "5", "10", "15", "30", "60", "never"]
                currentIndex: Math.max(0, choices.indexOf(session.idleLockMinutes))
                Accessible.name: "Minutes without use before SecureBase locks"
            }
            Label { text: idle.value === 0 ? "never" : "minutes without use" }
        }
        RowLayout {
            AppButton {
                objectName: "saveSettings"
                primary: true
                text: "Save settings"
                onClicked: if (session.saveSettings(address.text, ca.text, idle.value)) session.dismissNotice()
            }
            AppButton { text: "Lock now"; onClicked: session.lock() }
        }
    }
    Section {
        title: "Export"
        Label {
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            color: Theme.muted
            text: "Writes every conversation to a JSON file. The file is NOT encrypted: store it somewhere safe and delete it when you no longer need it."
        }
        Field { id: exportPath; objectName: "exportPath"; Layout.fillWidth: true; label: "File"; text: session.care.suggestedExportPath() }
        AppButton {
            objectName: "exportButton"
            text: "Export to this file"
            enabled: exportPath.text.trim() !== "" && !session.care.busy
            onClicked: session.care.exportTo(exportPath.text.trim())
        }
    }
    Section {
        title: "End a care link"
        Label {
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            color: Theme.muted
            text: "Ending a link stops messages in both directions. The history stays in your vault."
        }
        RowLayout {
            ComboBox {
                id: peer
                objectName: "endLinkPeer"
                Layout.preferredWidth: 260
                model: session.contacts
                textRole: "name"
                valueRole: "userId"
                Accessible.name: "Contact whose link to end"
            }
            AppButton {
                danger: true
                text: "End link\u2026"
                enabled: peer.count > 0
                onClicked: endConfirm.open()
            }
        }
    }
    Dialog {
        id: endConfirm
        anchors.centerIn: Overlay.overlay
        modal: true
        title: "End the link with " + peer.currentText + "?"
        standardButtons: Dialog.Cancel | Dialog.Ok
        width: 440
        contentItem: Label { wrapMode: Text.Wrap; text: "Neither of you can send messages to the other afterwards. This cannot be undone; a new invite is needed to link again." }
        onAccepted: session.care.endLink(peer.currentValue)
    }
}
