import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// A reflection as a card: its kind, the prompt it answers, each filled-in
// field under its own heading.
ColumnLayout {
    id: root
    property var card: ({})
    spacing: 6
    Label { text: (root.card.kindLabel || ""); font.bold: true; color: Theme.primary }
    Label {
        visible: (root.card.prompt || "") !== ""
        Layout.fillWidth: true
        wrapMode: Text.Wrap
        textFormat: Text.PlainText
        font.italic: true
        color: Theme.muted
        text: (root.card.prompt || "")
    }
    Repeater {
        model: root.card.fields || []
        ColumnLayout {
            Layout.fillWidth: true
            spacing: 0
            Label { text: modelData.label; font.pixelSize: Theme.small; font.bold: true; color: Theme.muted }
            Label {
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                textFormat: Text.PlainText
                text: modelData.value
            }
        }
    }
    Label {
        visible: (root.card.body || "") !== ""
        Layout.fillWidth: true
        wrapMode: Text.Wrap
        textFormat: Text.PlainText
        text: (root.card.body || "")
    }
}
