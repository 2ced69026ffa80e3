import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// A white card grouping part of a form or a screen.
Rectangle {
    id: root
    property alias title: heading.text
    default property alias content: body.data
    Layout.fillWidth: true
    implicitHeight: outer.implicitHeight + 2 * Theme.pad
    radius: Theme.radius
    color: Theme.surface
    border.color: Theme.border
    ColumnLayout {
        id: outer
        anchors.fill: parent
        anchors.margins: Theme.pad
        spacing: 10
        Label {
            id: heading
            visible: text !== ""
            font.pixelSize: Theme.heading
            font.bold: true
            Accessible.role: Accessible.Heading
            Accessible.name: text
        }
        ColumnLayout { id: body; Layout.fillWidth: true; spacing: 10 }
        // When a row stretches the card, the room goes below the content.
        Item { Layout.fillHeight: true }
    }
}
