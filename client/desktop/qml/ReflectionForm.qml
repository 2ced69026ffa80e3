import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// Guided reflections, one form per kind: free, thought record,
// mentalisation, communication practice. When it answers an exercise, the
// exercise's instructions stay on top.
FormPage {
    id: root
    objectName: "reflectionForm"
    readonly property var conv: session.conversation
    readonly property string exerciseId: home.params.exerciseId || ""
    readonly property var exercise: exerciseId !== "" ? conv.cardFor(exerciseId) : ({})
    property string kind: home.params.kind && home.params.kind !== "check-in" ? home.params.kind : "free"
    readonly property var kinds: [
        { key: "free", label: "Free reflection" },
        { key: "thought-record", label: "Thought record" },
        { key: "mentalisation", label: "Mentalisation" },
        { key: "communication", label: "Communication practice" }]
    title: "Reflection for " + conv.peerName
    subtitle: kind === "thought-record" ? "Notice a thought, weigh it, and find a more balanced one."
            : kind === "mentalisation" ? "Your own mind and the other person's: what might have been going on for each of you?"
            : kind === "communication" ? "A need, a boundary, what you said, and what happened."
            : "Write whatever you would like your therapist to read."

    Connections {
        target: root.conv
        function onSent(type) { if (type === "reflection") home.show("conversation", { peerId: root.conv.peerId }) }
    }
    Banner {
        visible: root.exerciseId !== ""
        Layout.fillWidth: true
        title: "Answering: " + (root.exercise.title || "")
        text: root.exercise.instructions || ""
    }
    RowLayout {
        visible: root.exerciseId === ""
        spacing: 6
        Repeater {
            model: root.kinds
            AppButton {
                text: modelData.label
                primary: root.kind === modelData.key
                Accessible.name: "Reflection kind: " + modelData.label
                onClicked: root.kind = modelData.key
            }
        }
    }
    Section {
        visible: root.kind === "free"
        TextBlock { id: body; objectName: "reflectionBody"; Layout.fillWidth: true; label: "Your reflection"; minimumLines: 8 }
    }
    Section {
        visible: root.kind === "thought-record"
        TextBlock { id: situation; Layout.fillWidth: true; label: "Situation: where were you, what happened?"; minimumLines: 2 }
        TextBlock { id: automatic; Layout.fillWidth: true; label: "Automatic thought: what went through your mind?"; minimumLines: 2 }
        EmotionPicker { id: before; Layout.fillWidth: true; label: "Emotions at the time" }
        TextBlock { id: evidenceFor; Layout.fillWidth: true; label: "Evidence for the thought"; minimumLines: 2 }
        TextBlock { id: evidenceAgainst; Layout.fillWidth: true; label: "Evidence against the thought"; minimumLines: 2 }
        TextBlock { id: balanced; Layout.fillWidth: true; label: "A more balanced thought"; minimumLines: 2 }
        EmotionPicker { id: after; Layout.fillWidth: true; label: "Emotions now" }
    }
    Section {
        visible: root.kind === "mentalisation"
        TextBlock { id: myFeelings; Layout.fillWidth: true; label: "What I felt"; minimumLines: 2 }
        TextBlock { id: myNeeds; Layout.fillWidth: true; label: "What I needed"; minimumLines: 2 }
        TextBlock { id: otherFelt; Layout.fillWidth: true; label: "What they may have felt"; minimumLines: 2 }
        TextBlock { id: otherThought; Layout.fillWidth: true; label: "What they may have thought"; minimumLines: 2 }
        TextBlock { id: otherIntended; Layout.fillWidth: true; label: "What they may have intended"; minimumLines: 2 }
        TextBlock { id: otherReadings; Layout.fillWidth: true; label: "Other ways to read the moment"; minimumLines: 2 }
    }
    Section {
        visible: root.kind === "communication"
        TextBlock { id: need; Layout.fillWidth: true; label: "The need"; minimumLines: 2 }
        TextBlock { id: boundary; Layout.fillWidth: true; label: "The boundary"; minimumLines: 2 }
        TextBlock { id: said; Layout.fillWidth: true; label: "What I said"; minimumLines: 2 }
        TextBlock { id: happened; Layout.fillWidth: true; label: "What happened"; minimumLines: 2 }
    }
    Section {
        visible: root.kind !== "free"
        TextBlock { id: notes; Layout.fillWidth: true; label: "Anything else (optional)"; minimumLines: 2 }
    }
    RowLayout {
        Layout.fillWidth: true
        Item { Layout.fillWidth: true }
        AppButton { text: "Cancel"; onClicked: home.show("conversation", { peerId: root.conv.peerId }) }
        AppButton {
            objectName: "sendReflection"
            primary: true
            text: root.conv.sending ? "Sending\u2026" : "Send reflection"
            enabled: !root.conv.sending
            onClicked: root.conv.sendReflection({
                kind: root.kind, exerciseId: root.exerciseId, prompt: root.exercise.title || "",
                body: root.kind === "free" ? body.text : notes.text,
                situation: situation.text, automatic_thought: automatic.text,
                emotions_before: before.emotions, evidence_for: evidenceFor.text,
                evidence_against: evidenceAgainst.text, balanced_thought: balanced.text,
                emotions_after: after.emotions,
                my_feelings: myFeelings.text, my_needs: myNeeds.text, other_felt: otherFelt.text,
                other_thought: otherThought.text, other_intended: otherIntended.text,
                other_readings: otherReadings.text,
                need: need.text, boundary: boundary.text, what_i_said: said.text, what_happened: happened.text })
        }
    }
}
