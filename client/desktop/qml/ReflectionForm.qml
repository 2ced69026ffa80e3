import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// Guided reflections, one form per kind the library knows (session.
// reflectionKinds: free, thought record, mentalisation, communication
// practice, emotion regulation log, mourning unmet needs, and any kind added
// later), built from each kind's fields. When it answers an exercise, the
// exercise's instructions stay on top and the kind is the exercise's.
FormPage {
    id: root
    objectName: "reflectionForm"
    readonly property var conv: session.conversation
    readonly property string exerciseId: home.params.exerciseId || ""
    readonly property var exercise: exerciseId !== "" ? conv.cardFor(exerciseId) : ({})
    readonly property var kinds: session.reflectionKinds
    property string kind: kindNamed(home.params.kind) ? home.params.kind : "free"
    readonly property var current: kindNamed(kind) || kinds[0]
    title: (current.name === "free" ? "Reflection" : current.title) + " for " + conv.peerName
    subtitle: current.intro

    function kindNamed(name) {
        for (var i = 0; i < kinds.length; ++i)
            if (kinds[i].name === name) return kinds[i]
        return null
    }
    // The form as content_forms.h reads it.
    function collect() {
        var form = { kind: root.kind, exerciseId: root.exerciseId, prompt: root.exercise.title || "",
                     body: body.text }
        for (var i = 0; i < fieldRepeater.count; ++i) {
            var field = fieldRepeater.itemAt(i)
            if (field) form[field.key] = field.value
        }
        return form
    }

    Connections {
        target: root.conv
        function onSent(type) { if (type === "reflection") home.show("conversation", { peerId: root.conv.peerId }) }
    }
    Banner {
        objectName: "exerciseInstructions"
        visible: root.exerciseId !== ""
        Layout.fillWidth: true
        title: "Answering: " + (root.exercise.title || "")
        text: root.exercise.instructions || ""
    }
    Flow {
        objectName: "reflectionKinds"
        visible: root.exerciseId === ""
        Layout.fillWidth: true
        spacing: 6
        Repeater {
            model: root.kinds
            AppButton {
                objectName: "kind-" + modelData.name
                text: modelData.title
                primary: root.kind === modelData.name
                Accessible.name: "Reflection kind: " + modelData.title + (root.kind === modelData.name ? ", chosen" : "")
                onClicked: root.kind = modelData.name
            }
        }
    }
    Section {
        visible: fieldRepeater.count > 0
        Repeater {
            id: fieldRepeater
            // Re-made when the kind changes: each kind starts empty.
            model: root.current.fields
            ColumnLayout {
                id: field
                required property var modelData
                readonly property string key: modelData.key
                readonly property bool emotions: modelData.type === "emotions"
                readonly property var value: emotions ? picker.emotions : textField.text
                Layout.fillWidth: true
                spacing: 2
                // One of the two shows (a hidden item takes no room in a layout).
                TextBlock {
                    id: textField
                    objectName: "field-" + field.key
                    visible: !field.emotions
                    Layout.fillWidth: true
                    label: field.modelData.label
                    placeholder: field.modelData.hint
                    minimumLines: 2
                }
                EmotionPicker {
                    id: picker
                    objectName: "emotions-" + field.key
                    visible: field.emotions
                    Layout.fillWidth: true
                    label: field.modelData.label + (field.modelData.hint ? " \u2014 " + field.modelData.hint : "")
                }
            }
        }
    }
    Section {
        TextBlock {
            id: body
            objectName: "reflectionBody"
            Layout.fillWidth: true
            label: root.current.fields.length === 0 ? "Your reflection" : "Anything else (optional)"
            minimumLines: root.current.fields.length === 0 ? 8 : 2
        }
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
            onClicked: root.conv.sendReflection(root.collect())
        }
    }
}
