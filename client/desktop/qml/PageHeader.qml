import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// A screen's title, an optional subtitle, and actions on the right (children).
RowLayout {
    id: root
    property alias title: heading.text
    property alias subtitle: sub.text
    default property alias actions: actionRow.data
    spacing: Theme.gap
    ColumnLayout {
        Layout.fillWidth: true
        spacing: 2
        Label {
            id: heading
            font.pixelSize: Theme.title
            font.bold: true
            color: Theme.text
            textFormat: Text.PlainText
            elide: Text.ElideRight
            Layout.fillWidth: true
            Accessible.role: Accessible.Heading
            Accessible.name: text
        }
        Label {
            id: sub
            visible: text !== ""
            color: Theme.muted
            textFormat: Text.PlainText
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
    }
    RowLayout { id: actionRow; spacing: 8 }
}
