import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// The therapist's availability notice, shown at the top of every client's
// conversation, with what to do in an emergency.
FormPage {
    id: root
    objectName: "availabilityEditor"
    readonly property var care: session.care
    title: "Your availability"
    subtitle: "Your clients see this above your conversation at all times. Be concrete about when you read messages."
    Section {
        TextBlock {
            id: text
            objectName: "availabilityText"
            Layout.fillWidth: true
            label: "When you read and answer messages"
            placeholder: "Mon\u2013Thu 9\u201317. I reply within one working day."
            text: root.care.availabilityText
            minimumLines: 3
        }
        TextBlock {
            id: emergency
            objectName: "emergencyText"
            Layout.fillWidth: true
            label: "What to do in an emergency"
            text: root.care.emergencyGuidance !== "" ? root.care.emergencyGuidance
                  : "If you are in danger or might harm yourself, call your local emergency number now."
            minimumLines: 3
        }
    }
    Section {
        title: "Your clients will see"
        Banner {
            Layout.fillWidth: true
            title: session.displayName + "'s availability: " + text.text
            text: "SecureBase is not for emergencies. " + emergency.text
        }
    }
    RowLayout {
        Layout.fillWidth: true
        Item { Layout.fillWidth: true }
        AppButton {
            objectName: "saveAvailability"
            primary: true
            text: root.care.busy ? "Saving\u2026" : "Save and send to my clients"
            enabled: text.text.trim() !== "" && !root.care.busy
            onClicked: root.care.saveAvailability(text.text, emergency.text)
        }
    }
}
