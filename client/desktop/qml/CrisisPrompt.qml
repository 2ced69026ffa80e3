import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// Shown before sending something that carries a risk signal (the library's
// risk detection: PHQ-9 item 9 above 0, or words about self-harm): help now,
// without waiting for a reply, and the therapist's availability notice. It
// never stops the message: "Send it" sends it exactly as written.
Dialog {
    id: root
    objectName: "crisisDialog"
    readonly property var conv: session.conversation
    readonly property var prompt: conv.crisisPrompt
    anchors.centerIn: parent
    width: Math.min(parent ? parent.width - 80 : 560, 560)
    modal: true
    closePolicy: Popup.CloseOnEscape
    padding: 20
    topPadding: 8
    title: prompt.title || ""
    background: Rectangle {
        radius: Theme.radius
        color: Theme.surface
        border.color: Theme.danger
        border.width: 2
    }
    Overlay.modal: Rectangle { color: "#991f2933" }
    header: Label {
        text: root.title
        padding: 20
        bottomPadding: 0
        font.pixelSize: Theme.title
        font.bold: true
        color: Theme.danger
        wrapMode: Text.WordWrap
    }
    // Accepting sends (and clears the prompt first); any other way of
    // closing (Back, Escape) goes back to editing.
    onAccepted: conv.confirmCrisisSend()
    onClosed: if ((conv.crisisPrompt.title || "") !== "") conv.cancelCrisisSend()
    Connections {
        target: root.conv
        function onCrisisPromptChanged() {
            if ((root.conv.crisisPrompt.title || "") !== "") root.open()
            else root.close()
        }
    }

    contentItem: ColumnLayout {
        objectName: "crisisPrompt"
        spacing: 12
        Accessible.role: Accessible.AlertMessage
        Accessible.name: (root.prompt.title || "") + ". " + (root.prompt.message || "")
        Label {
            objectName: "crisisMessage"
            Layout.fillWidth: true
            wrapMode: Text.WordWrap
            textFormat: Text.PlainText
            font.pixelSize: Theme.heading
            text: root.prompt.message || ""
        }
        Banner {
            objectName: "crisisGuidance"
            Layout.fillWidth: true
            kind: "danger"
            title: "In an emergency"
            text: root.prompt.emergencyGuidance || ""
        }
        Banner {
            objectName: "crisisAvailability"
            Layout.fillWidth: true
            kind: "info"
            title: root.conv.peerName + (root.prompt.availabilityText ? "'s availability" : " has not shared their availability")
            text: root.prompt.availabilityText
                  ? root.prompt.availabilityText + "\nYour therapist may not read this until then."
                  : "Your therapist may not read this soon."
        }
        Label {
            Layout.fillWidth: true
            wrapMode: Text.WordWrap
            color: Theme.muted
            font.pixelSize: Theme.small
            text: "Shown because of what is in " + (root.prompt.where || "what you wrote") + ". It stays on this device."
        }
    }
    footer: Item {
        implicitHeight: buttons.implicitHeight + 20
        RowLayout {
            id: buttons
            anchors.left: parent.left
            anchors.right: parent.right
            anchors.top: parent.top
            anchors.leftMargin: 20
            anchors.rightMargin: 20
            spacing: 8
            Item { Layout.fillWidth: true }
            AppButton {
                objectName: "crisisBack"
                text: "Back to editing"
                Accessible.name: "Back to editing, do not send yet"
                onClicked: root.reject()
            }
            AppButton {
                objectName: "crisisSend"
                primary: true
                text: "Send it"
                Accessible.name: "Send it now"
                onClicked: root.accept()
            }
        }
    }
}
