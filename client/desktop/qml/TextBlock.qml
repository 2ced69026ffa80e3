import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// A labelled multi-line text area for what a person writes.
ColumnLayout {
    id: root
    property alias label: caption.text
    property alias text: area.text
    property alias placeholder: area.placeholderText
    property alias area: area
    property int minimumLines: 3
    spacing: 4
    Label {
        id: caption
        font.pixelSize: Theme.small
        font.bold: true
        color: Theme.muted
        wrapMode: Text.WordWrap
        Layout.fillWidth: true
    }
    TextArea {
        id: area
        Layout.fillWidth: true
        Layout.preferredHeight: Math.max(implicitHeight, root.minimumLines * 20 + 16)
        wrapMode: TextEdit.Wrap
        textFormat: TextEdit.PlainText
        font.pixelSize: Theme.fontSize
        color: Theme.text
        selectByMouse: true
        Accessible.name: caption.text
        // Tab moves on to the next control instead of typing a tab.
        KeyNavigation.priority: KeyNavigation.BeforeItem
        Keys.onTabPressed: (event) => { nextItemInFocusChain(true).forceActiveFocus(Qt.TabFocusReason); event.accepted = true }
        Keys.onBacktabPressed: (event) => { nextItemInFocusChain(false).forceActiveFocus(Qt.BacktabFocusReason); event.accepted = true }
        background: Rectangle {
            radius: 6
            color: Theme.surface
            border.width: area.activeFocus ? 2 : 1
            border.color: area.activeFocus ? Theme.focus : Theme.border
        }
    }
}
