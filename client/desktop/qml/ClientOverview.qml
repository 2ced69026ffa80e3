import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// The therapist's caseload at a glance: each client with their last
// check-in, a mood trend, open and overdue exercises, unread items.
Item {
    id: root
    objectName: "clientOverview"
    // Column widths shared by the header and the rows; the name takes what is left.
    readonly property int checkInWidth: 120
    readonly property int trendWidth: 124
    readonly property int exercisesWidth: 170
    readonly property int actionsWidth: 200
    readonly property int nameWidth: Math.max(110, list.width - 2 * Theme.pad - checkInWidth
                                              - trendWidth - exercisesWidth - actionsWidth)
    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.pad
        spacing: Theme.gap
        PageHeader {
            Layout.fillWidth: true
            title: "Client overview"
            subtitle: session.contacts.count + (session.contacts.count === 1 ? " client" : " clients")
                      + (session.contacts.totalUnread > 0 ? " \u00b7 " + session.contacts.totalUnread + " unread" : "")
        }
        RowLayout {
            Layout.fillWidth: true
            Layout.leftMargin: Theme.pad
            Layout.rightMargin: Theme.pad
            spacing: 0
            Label { text: "Client"; Layout.preferredWidth: root.nameWidth; font.pixelSize: Theme.small; font.bold: true; color: Theme.muted }
            Label { text: "Last check-in"; Layout.preferredWidth: root.checkInWidth; font.pixelSize: Theme.small; font.bold: true; color: Theme.muted }
            Label { text: "Mood trend"; Layout.preferredWidth: root.trendWidth; font.pixelSize: Theme.small; font.bold: true; color: Theme.muted }
            Label { text: "Exercises"; Layout.fillWidth: true; font.pixelSize: Theme.small; font.bold: true; color: Theme.muted }
        }
        ListView {
            id: list
            objectName: "overviewList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 8
            model: session.contacts
            activeFocusOnTab: true
            keyNavigationEnabled: true
            Accessible.role: Accessible.List
            Accessible.name: "Clients"
            Keys.onReturnPressed: if (currentItem) home.show("dashboard", { peerId: currentItem.peerId })
            delegate: Rectangle {
                id: card
                readonly property string peerId: model.userId
                width: ListView.view.width
                implicitHeight: row.implicitHeight + 2 * 12
                radius: Theme.radius
                color: Theme.surface
                border.width: ListView.isCurrentItem && list.activeFocus ? 2 : 1
                border.color: ListView.isCurrentItem && list.activeFocus ? Theme.focus
                              : model.identityChanged ? Theme.warning : Theme.border
                Accessible.role: Accessible.ListItem
                Accessible.name: model.name + (!model.detailsLoaded ? ", loading its check-ins"
                                 : (model.lastCheckIn > 0 ? ", last check-in " + session.relativeTime(model.lastCheckIn) + ", mood " + model.lastMood : ", no check-ins yet")
                                   + ", " + model.openExercises + " open exercises, " + model.overdueExercises + " past due")
                                 + (model.unread > 0 ? ", " + model.unreadText + " unread" : "")
                RowLayout {
                    id: row
                    anchors.fill: parent
                    anchors.margins: 12
                    anchors.leftMargin: Theme.pad
                    spacing: 0
                    ColumnLayout {
                        Layout.preferredWidth: root.nameWidth
                        Layout.maximumWidth: root.nameWidth
                        Layout.minimumWidth: root.nameWidth
                        spacing: 2
                        RowLayout {
                            spacing: 6
                            Label { text: model.name; textFormat: Text.PlainText; font.bold: true; font.pixelSize: Theme.heading; elide: Text.ElideRight; Layout.maximumWidth: root.nameWidth - 60 }
                            Badge { visible: model.unread > 0; text: model.unreadText + " new"; tint: Theme.primaryText; fill: Theme.primary }
                        }
                        Label {
                            visible: model.identityChanged || !model.linked
                            text: model.identityChanged ? "\u26a0 safety number changed" : "link ended"
                            color: model.identityChanged ? Theme.warning : Theme.muted
                            font.pixelSize: Theme.small
                            wrapMode: Text.WordWrap
                            Layout.maximumWidth: root.nameWidth - 8
                        }
                    }
                    ColumnLayout {
                        Layout.preferredWidth: root.checkInWidth
                        Layout.minimumWidth: root.checkInWidth
                        Layout.maximumWidth: root.checkInWidth
                        spacing: 0
                        Label {
                            text: !model.detailsLoaded ? "\u2026" : model.lastCheckIn > 0 ? session.relativeTime(model.lastCheckIn) : "none yet"
                            color: model.lastCheckIn > 0 ? Theme.text : Theme.muted
                        }
                        Label {
                            visible: model.lastMood >= 0
                            text: "mood " + model.lastMood + "/10"
                            font.pixelSize: Theme.small
                            color: Theme.muted
                        }
                    }
                    Sparkline {
                        Layout.preferredWidth: root.trendWidth - 16
                        Layout.minimumWidth: root.trendWidth - 16
                        Layout.preferredHeight: 36
                        Layout.rightMargin: 16
                        values: model.moodTrend
                        color: Theme.primary
                    }
                    RowLayout {
                        Layout.fillWidth: true
                        Layout.minimumWidth: root.exercisesWidth
                        spacing: 6
                        Badge { visible: model.detailsLoaded; text: model.openExercises + " open" }
                        Badge {
                            visible: model.overdueExercises > 0
                            text: model.overdueExercises + " past due"
                            tint: Theme.warning
                            fill: Theme.warningSoft
                        }
                    }
                    AppButton {
                        text: "Messages"
                        Accessible.name: "Open conversation with " + model.name
                        onClicked: home.show("conversation", { peerId: model.userId })
                    }
                    AppButton {
                        Layout.leftMargin: 6
                        primary: true
                        text: "Dashboard"
                        Accessible.name: "Open dashboard of " + model.name
                        onClicked: home.show("dashboard", { peerId: model.userId })
                    }
                }
            }
            Label {
                anchors.centerIn: parent
                visible: list.count === 0
                color: Theme.muted
                text: "No clients yet. Use \u201cInvite a client\u201d to link one."
            }
        }
    }
}
