import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// Emotion chips from a word list, plus your own word; each chosen emotion
// gets an intensity from 0 to 100. `emotions` is [{name, intensity}].
ColumnLayout {
    id: root
    property string label: "Emotions"
    property var words: ["sad", "anxious", "angry", "ashamed", "lonely", "overwhelmed",
                         "calm", "hopeful", "content", "connected", "tired", "numb"]
    property var emotions: []
    spacing: 6
    function toggle(name) {
        var list = emotions.slice()
        var at = list.findIndex(e => e.name === name)
        if (at >= 0) list.splice(at, 1); else list.push({ name: name, intensity: 50 })
        emotions = list
    }
    function setIntensity(name, value) {
        var list = emotions.slice()
        var at = list.findIndex(e => e.name === name)
        if (at >= 0) { list[at] = { name: name, intensity: Math.round(value) }; emotions = list }
    }
    function chosen(name) { return emotions.findIndex(e => e.name === name) >= 0 }

    Label { text: root.label; font.pixelSize: Theme.small; font.bold: true; color: Theme.muted }
    Flow {
        Layout.fillWidth: true
        spacing: 6
        Repeater {
            model: root.words
            Button {
                text: modelData
                checkable: true
                checked: root.chosen(modelData)
                focusPolicy: Qt.StrongFocus
                Accessible.name: root.label + ": " + modelData
                Accessible.checkable: true
                Accessible.checked: checked
                onClicked: root.toggle(modelData)
                background: Rectangle {
                    implicitHeight: 30
                    radius: 15
                    color: parent.checked ? Theme.primary : Theme.surface
                    border.width: parent.visualFocus ? 2 : 1
                    border.color: parent.visualFocus ? Theme.focus : Theme.border
                }
                contentItem: Text {
                    text: parent.text
                    color: parent.checked ? Theme.primaryText : Theme.text
                    horizontalAlignment: Text.AlignHCenter
                    verticalAlignment: Text.AlignVCenter
                }
            }
        }
        TextField {
            id: own
            width: 160
            placeholderText: "another word\u2026"
            Accessible.name: root.label + ": add your own word"
            onAccepted: { if (text.trim() !== "" && !root.chosen(text.trim().toLowerCase())) root.toggle(text.trim().toLowerCase()); text = "" }
        }
    }
    Repeater {
        model: root.emotions
        RowLayout {
            Layout.fillWidth: true
            Label { text: modelData.name; Layout.preferredWidth: 110; elide: Text.ElideRight }
            Slider {
                Layout.fillWidth: true
                from: 0; to: 100; stepSize: 5
                value: modelData.intensity
                focusPolicy: Qt.StrongFocus
                Accessible.name: "How strong: " + modelData.name + " (0 to 100)"
                onMoved: root.setIntensity(modelData.name, value)
            }
            Label { text: modelData.intensity; Layout.preferredWidth: 30; horizontalAlignment: Text.AlignRight }
        }
    }
}
