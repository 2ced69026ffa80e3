import QtQuick
import QtQuick.Controls
import SecureBase

// A button with the app's look; `primary` for the one main action of a screen.
Button {
    id: control
    property bool primary: false
    property bool danger: false
    Accessible.name: text
    font.pixelSize: Theme.fontSize
    focusPolicy: Qt.StrongFocus
    padding: 8
    leftPadding: 14
    rightPadding: 14
    contentItem: Text {
        text: control.text
        font: control.font
        color: !control.enabled ? Theme.muted
               : control.primary ? Theme.primaryText
               : control.danger ? Theme.danger : Theme.primary
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        elide: Text.ElideRight
    }
    background: Rectangle {
        implicitHeight: 36
        radius: 8
        color: !control.enabled ? "#e8e4dd"
               : control.primary ? (control.down ? Qt.darker(Theme.primary, 1.2) : Theme.primary)
               : control.down ? Theme.primarySoft : Theme.surface
        border.width: control.visualFocus ? 2 : 1
        border.color: control.visualFocus ? Theme.focus
                      : control.primary ? Theme.primary
                      : control.danger ? Theme.danger : Theme.border
    }
}
