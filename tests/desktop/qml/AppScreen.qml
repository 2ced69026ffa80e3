import QtQuick
import QtQuick.Controls
import "qrc:/qml"

// The unlocked app (the sidebar and one page) over the runner's fixed data
// set, for a screen's TestCase: open(role, page, params) shows the page as
// the user would reach it.
Item {
    id: root
    width: 1120
    height: 760
    property alias home: home
    // Where popups (the crisis prompt) show.
    readonly property Item overlay: Overlay.overlay
    function open(role, page, params) {
        if (role === "therapist") fixture.asTherapist()
        else fixture.asClient()
        home.show(page, params || {})
    }
    HomeScreen { id: home; anchors.fill: parent }
}
