import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// A check-in as a card: mood, energy and sleep at a glance, emotions as
// chips with their intensity, measures with their severity band, the notes.
ColumnLayout {
    id: root
    property var card: ({})
    spacing: 6
    RowLayout {
        spacing: 8
        Label { text: "Check-in"; font.bold: true; color: Theme.primary }
        Badge { text: "mood " + root.card.mood + "/10" }
        Badge { visible: root.card.energy >= 0; text: "energy " + root.card.energy + "/10" }
        Badge { visible: root.card.sleep >= 0; text: "sleep " + Number(root.card.sleep).toFixed(1) + " h" }
    }
    Flow {
        Layout.fillWidth: true
        spacing: 6
        visible: (root.card.emotions || []).length > 0
        Repeater {
            model: root.card.emotions || []
            Badge {
                text: modelData.name + " " + modelData.intensity
                tint: Theme.text
                fill: Qt.rgba(0.17, 0.42, 0.43, 0.08 + 0.30 * modelData.intensity / 100)
            }
        }
    }
    Repeater {
        model: root.card.measures || []
        Label {
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            text: modelData.name + ": " + modelData.total + " of " + modelData.max
                  + (modelData.complete ? " (" + modelData.band + ")" : " (incomplete)")
            font.bold: true
            color: Theme.text
        }
    }
    Label {
        visible: (root.card.helped || "") !== ""
        Layout.fillWidth: true
        wrapMode: Text.Wrap
        textFormat: Text.PlainText
        text: "What helped: " + (root.card.helped || "")
    }
    Label {
        visible: (root.card.note || "") !== ""
        Layout.fillWidth: true
        wrapMode: Text.Wrap
        textFormat: Text.PlainText
        text: (root.card.note || "")
        color: Theme.text
    }
}
