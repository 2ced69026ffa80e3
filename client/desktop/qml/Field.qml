import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// A labelled single-line text field; the label is its accessible name.
ColumnLayout {
    id: root
    property alias label: caption.text
    property alias text: input.text
    property alias placeholder: input.placeholderText
    property alias echoMode: input.echoMode
    property alias input: input
    property string help: ""
    property bool readOnly: false
    spacing: 4
    Label {
        id: caption
        font.pixelSize: Theme.small
        font.bold: true
        color: Theme.muted
    }
    TextField {
        id: input
        Layout.fillWidth: true
        readOnly: root.readOnly
        font.pixelSize: Theme.fontSize
        color: Theme.text
        selectByMouse: true
        Accessible.name: caption.text
        Accessible.description: root.help
        background: Rectangle {
            implicitHeight: 36
            radius: 6
            color: root.readOnly ? Theme.background : Theme.surface
            border.width: input.activeFocus ? 2 : 1
            border.color: input.activeFocus ? Theme.focus : Theme.border
        }
    }
    Label {
        visible: root.help !== ""
        text: root.help
        font.pixelSize: Theme.small
        color: Theme.muted
        wrapMode: Text.WordWrap
        Layout.fillWidth: true
    }
}
