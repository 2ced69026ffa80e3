pragma Singleton
import QtQuick

// Colours, type and spacing in one place. Calm, warm and high-contrast:
// every text colour here passes WCAG AA on the surface it is used on.
QtObject {
    readonly property color background: "#f5f3ef"
    readonly property color surface: "#ffffff"
    readonly property color sidebar: "#ece8e1"
    readonly property color border: "#dcd6cc"
    readonly property color text: "#1f2933"
    readonly property color muted: "#55606e"
    readonly property color primary: "#2c6a6e"
    readonly property color primaryText: "#ffffff"
    readonly property color primarySoft: "#e1efee"
    readonly property color outgoing: "#dcecea"
    readonly property color incoming: "#ffffff"
    readonly property color warning: "#8a4b00"
    readonly property color warningSoft: "#fff1db"
    readonly property color danger: "#9b2c2c"
    readonly property color dangerSoft: "#fbe9e7"
    readonly property color success: "#276742"
    readonly property color successSoft: "#e3f3e8"
    readonly property color focus: "#1b5e9e"

    readonly property int fontSize: 14
    readonly property int small: 12
    readonly property int heading: 17
    readonly property int title: 22
    readonly property int radius: 10
    readonly property int gap: 12
    readonly property int pad: 16

    // PHQ-9 / GAD-7 band colours, mildest first.
    readonly property var bandColors: ["#e6f2e8", "#f3f1d9", "#f9e6cc", "#f6d5c7", "#efc4c4"]
}
