import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// A scrolling form page with a header; the form's fields are its children.
Item {
    id: root
    property alias title: header.title
    property alias subtitle: header.subtitle
    default property alias fields: column.data
    property alias headerActions: header.actions
    ScrollView {
        id: scroll
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            id: outer
            width: Math.min(720, scroll.availableWidth - 2 * Theme.pad)
            x: Theme.pad
            spacing: Theme.gap
            Item { Layout.preferredHeight: 4 }
            PageHeader { id: header; Layout.fillWidth: true }
            ColumnLayout {
                id: column
                Layout.fillWidth: true
                spacing: Theme.gap
            }
            Item { Layout.preferredHeight: Theme.pad }
        }
    }
}
