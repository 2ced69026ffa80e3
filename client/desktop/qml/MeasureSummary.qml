import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// The latest PHQ-9 or GAD-7 total with its band and the change since the one before.
Rectangle {
    id: root
    property string name: ""
    property var latest: ({})
    readonly property bool has: latest.total !== undefined
    implicitHeight: col.implicitHeight + 20
    radius: Theme.radius
    color: Theme.surface
    border.color: Theme.border
    Accessible.role: Accessible.StaticText
    Accessible.name: label.text
    ColumnLayout {
        id: col
        anchors.fill: parent
        anchors.margins: 10
        Label {
            id: label
            font.pixelSize: Theme.heading
            font.bold: true
            text: root.has ? root.name + ": " + root.latest.total + " of " + root.latest.max + " \u2014 " + root.latest.band
                           : root.name + ": not answered in this period"
            color: root.has ? Theme.text : Theme.muted
        }
        Label {
            visible: root.has
            font.pixelSize: Theme.small
            color: Theme.muted
            text: root.has ? "on " + session.formatDate(root.latest.at)
                  + (root.latest.change !== undefined ? " \u00b7 " + (root.latest.change > 0 ? "+" : "") + root.latest.change + " since the one before" : " \u00b7 first in this period")
                  : ""
        }
    }
}
