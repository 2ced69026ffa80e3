import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// A 0..max slider with its anchors written out ("0 = worst, 10 = best").
ColumnLayout {
    id: root
    property alias label: caption.text
    property alias value: slider.value
    property alias from: slider.from
    property alias to: slider.to
    property alias stepSize: slider.stepSize
    property string lowAnchor: ""
    property string highAnchor: ""
    property alias slider: slider
    property string unit: ""
    spacing: 2
    RowLayout {
        Layout.fillWidth: true
        Label { id: caption; font.bold: true; font.pixelSize: Theme.small; color: Theme.muted }
        Item { Layout.fillWidth: true }
        Label {
            text: (slider.stepSize < 1 ? slider.value.toFixed(1) : Math.round(slider.value)) + root.unit
            font.pixelSize: Theme.heading
            font.bold: true
            color: Theme.primary
        }
    }
    Slider {
        id: slider
        Layout.fillWidth: true
        from: 0; to: 10; stepSize: 1; snapMode: Slider.SnapAlways
        focusPolicy: Qt.StrongFocus
        Accessible.name: caption.text + (root.lowAnchor !== "" ? " (" + root.lowAnchor + ", " + root.highAnchor + ")" : "")
    }
    RowLayout {
        Layout.fillWidth: true
        visible: root.lowAnchor !== ""
        Label { text: root.lowAnchor; font.pixelSize: Theme.small; color: Theme.muted }
        Item { Layout.fillWidth: true }
        Label { text: root.highAnchor; font.pixelSize: Theme.small; color: Theme.muted }
    }
}
