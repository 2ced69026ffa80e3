import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// The client enters the invite code their therapist gave them.
FormPage {
    id: root
    objectName: "acceptInviteScreen"
    title: "Add your therapist"
    subtitle: "Enter the invite code your therapist gave you. SecureBase checks that the code really comes from them."
    Section {
        TextBlock {
            id: code
            objectName: "acceptCode"
            Layout.fillWidth: true
            label: "Invite code"
            minimumLines: 3
        }
        RowLayout {
            Layout.fillWidth: true
            Item { Layout.fillWidth: true }
            AppButton {
                objectName: "acceptButton"
                primary: true
                text: session.care.busy ? "Linking\u2026" : "Link with my therapist"
                enabled: code.text.trim() !== "" && !session.care.busy
                onClicked: session.care.acceptInvite(code.text)
            }
        }
    }
}
