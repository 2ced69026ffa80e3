import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// The severity bands in words, with their score ranges and colours.
Flow {
    id: root
    property var bands: []
    Layout.fillWidth: true
    spacing: 10
    Repeater {
        model: root.bands
        Row {
            spacing: 4
            Rectangle { width: 12; height: 12; radius: 2; color: Theme.bandColors[Math.min(index, Theme.bandColors.length - 1)]; border.color: Theme.border; anchors.verticalCenter: parent.verticalCenter }
            Label { text: modelData.label + " " + modelData.min + "\u2013" + modelData.max; font.pixelSize: Theme.small; color: Theme.muted }
        }
    }
}
