import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// The check-in: mood (0 = worst, 10 = best), emotions with intensity,
// energy, sleep, what helped, a note, and optionally PHQ-9 / GAD-7 scored
// on the device.
FormPage {
    id: root
    objectName: "checkInForm"
    readonly property var conv: session.conversation
    readonly property string exerciseId: home.params.exerciseId || ""
    readonly property var exercise: exerciseId !== "" ? conv.cardFor(exerciseId) : ({})
    title: "Check-in for " + conv.peerName
    subtitle: "Take a moment to notice how you are. Everything here is optional except your mood."

    Connections {
        target: root.conv
        function onSent(type) { if (type === "check-in") home.show("conversation", { peerId: root.conv.peerId }) }
    }

    Banner {
        visible: root.exerciseId !== ""
        Layout.fillWidth: true
        title: "Answering: " + (root.exercise.title || "")
        text: root.exercise.instructions || ""
    }
    Section {
        ScaleSlider {
            id: mood
            objectName: "moodSlider"
            Layout.fillWidth: true
            label: "Mood"
            value: 5
            lowAnchor: "0 = the worst it gets"
            highAnchor: "10 = the best it gets"
        }
        CheckBox {
            id: withEnergy
            text: "Rate my energy"
            Accessible.name: "Include energy"
        }
        ScaleSlider {
            id: energy
            visible: withEnergy.checked
            Layout.fillWidth: true
            label: "Energy"
            value: 5
            lowAnchor: "0 = exhausted"
            highAnchor: "10 = full of energy"
        }
        CheckBox {
            id: withSleep
            text: "Note how I slept"
            Accessible.name: "Include sleep"
        }
        ScaleSlider {
            id: sleep
            visible: withSleep.checked
            Layout.fillWidth: true
            label: "Sleep last night"
            from: 0; to: 14; stepSize: 0.5
            value: 7
            unit: " h"
        }
    }
    Section {
        EmotionPicker { id: emotions; objectName: "emotionPicker"; Layout.fillWidth: true; label: "Emotions" }
    }
    Section {
        TextBlock { id: helped; Layout.fillWidth: true; label: "What helped (if anything)"; minimumLines: 2 }
        TextBlock { id: note; objectName: "noteField"; Layout.fillWidth: true; label: "Anything you want to add"; minimumLines: 3 }
    }
    Section {
        title: "Questionnaires (optional)"
        Label {
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            color: Theme.muted
            text: "Standard questionnaires about the last two weeks. Your therapist may ask for them every couple of weeks; they are scored on this computer."
        }
        CheckBox { id: withPhq; objectName: "phq9Toggle"; text: "PHQ-9 (mood over the last 2 weeks)"; Accessible.name: "Include PHQ-9" }
        QuestionnaireSection {
            id: phq
            objectName: "phq9Section"
            visible: withPhq.checked
            Layout.fillWidth: true
            readonly property var info: session.measure("PHQ-9")
            name: info.name; stem: info.stem; items: info.items; bands: info.bands; options: info.options
        }
        CheckBox { id: withGad; objectName: "gad7Toggle"; text: "GAD-7 (anxiety over the last 2 weeks)"; Accessible.name: "Include GAD-7" }
        QuestionnaireSection {
            id: gad
            visible: withGad.checked
            Layout.fillWidth: true
            readonly property var info: session.measure("GAD-7")
            name: info.name; stem: info.stem; items: info.items; bands: info.bands; options: info.options
        }
    }
    Label {
        Layout.fillWidth: true
        wrapMode: Text.Wrap
        color: Theme.danger
        font.pixelSize: Theme.small
        text: "SecureBase is not for emergencies. " + (root.conv.emergencyGuidance !== "" ? root.conv.emergencyGuidance
              : "If you are in danger or might harm yourself, call your local emergency number now.")
    }
    RowLayout {
        Layout.fillWidth: true
        Item { Layout.fillWidth: true }
        AppButton {
            text: "Cancel"
            onClicked: home.show("conversation", { peerId: root.conv.peerId })
        }
        AppButton {
            objectName: "sendCheckIn"
            primary: true
            text: root.conv.sending ? "Sending\u2026" : "Send check-in"
            enabled: !root.conv.sending && (!withPhq.checked || phq.complete) && (!withGad.checked || gad.complete)
            onClicked: {
                var form = { mood: Math.round(mood.value), emotions: emotions.emotions,
                             helped: helped.text, note: note.text, exerciseId: root.exerciseId }
                if (withEnergy.checked) form.energy = Math.round(energy.value)
                if (withSleep.checked) form.sleep = sleep.value
                if (withPhq.checked) form.phq9 = phq.answers
                if (withGad.checked) form.gad7 = gad.answers
                root.conv.sendCheckIn(form)
            }
        }
    }
}
