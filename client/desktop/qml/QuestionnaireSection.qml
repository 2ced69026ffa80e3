import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// PHQ-9 or GAD-7 with the standard item texts and answer options, scored on
// the device as it is filled in. `answers` holds -1 for an unanswered item.
ColumnLayout {
    id: root
    property string name: "PHQ-9"
    property string stem: ""
    property var items: []
    property var options: ["Not at all", "Several days", "More than half the days", "Nearly every day"]
    property var bands: []
    property var answers: []
    readonly property bool complete: answers.length === items.length && answers.every(a => a >= 0)
    readonly property int total: answers.reduce((sum, a) => sum + Math.max(0, a), 0)
    readonly property string band: {
        for (var i = 0; i < bands.length; ++i)
            if (total >= bands[i].min && total <= bands[i].max) return bands[i].label
        return ""
    }
    spacing: 8
    Component.onCompleted: answers = items.map(() => -1)
    function setAnswer(i, v) { var a = answers.slice(); a[i] = v; answers = a }

    Label { text: root.stem; wrapMode: Text.Wrap; Layout.fillWidth: true; font.italic: true; color: Theme.muted }
    Repeater {
        model: root.items
        ColumnLayout {
            id: item
            property int itemIndex: index
            Layout.fillWidth: true
            spacing: 2
            Label {
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                text: (index + 1) + ". " + modelData
                font.bold: true
            }
            Flow {
                Layout.fillWidth: true
                spacing: 4
                Repeater {
                    model: root.options
                    RadioButton {
                        text: modelData
                        checked: root.answers[item.itemIndex] === index
                        Accessible.name: root.name + " item " + (item.itemIndex + 1) + ": " + modelData
                        onClicked: root.setAnswer(item.itemIndex, index)
                    }
                }
            }
        }
    }
    Label {
        font.bold: true
        color: Theme.primary
        text: root.complete ? root.name + " total: " + root.total + " (" + root.band + ")"
                            : root.name + ": " + root.answers.filter(a => a >= 0).length + " of " + root.items.length + " answered"
    }
}
