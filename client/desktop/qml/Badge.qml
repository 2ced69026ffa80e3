import QtQuick
import QtQuick.Controls
import SecureBase

// A small pill with a word in it ("verified", "overdue", "3 unread").
Rectangle {
    id: root
    property alias text: label.text
    property color tint: Theme.primary
    property color fill: Theme.primarySoft
    implicitWidth: label.implicitWidth + 14
    implicitHeight: label.implicitHeight + 4
    radius: height / 2
    color: fill
    Accessible.role: Accessible.StaticText
    Accessible.name: label.text
    Label {
        id: label
        anchors.centerIn: parent
        font.pixelSize: Theme.small
        font.bold: true
        color: root.tint
    }
}
