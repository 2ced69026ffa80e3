import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// Who is signed in, whether live updates run, the contact list with unread
// counts and verification, and the way to the other screens.
Rectangle {
    id: root
    objectName: "sidebar"
    property string currentPeer: ""
    property string currentPage: ""
    signal navigate(string page, var params)
    color: Theme.sidebar

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 12
        spacing: 10

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: false
            ColumnLayout {
                Layout.fillWidth: true
                spacing: 0
                Label {
                    text: session.displayName
                    textFormat: Text.PlainText
                    font.pixelSize: Theme.heading
                    font.bold: true
                    elide: Text.ElideRight
                    Layout.fillWidth: true
                }
                RowLayout {
                    spacing: 6
                    Rectangle {
                        width: 8; height: 8; radius: 4
                        color: session.liveState === "live" ? Theme.success
                             : session.liveState === "offline" || session.liveState === "failed" ? Theme.danger : Theme.warning
                    }
                    Label {
                        objectName: "liveState"
                        font.pixelSize: Theme.small
                        color: Theme.muted
                        text: (session.isTherapist ? "Therapist" : "Client") + " \u00b7 " +
                              (session.liveState === "live" ? "connected"
                               : session.liveState === "offline" ? "offline, retrying"
                               : session.liveState === "failed" ? "live updates failed"
                               : session.liveState === "off" ? "not connected" : "connecting\u2026")
                        Accessible.name: text
                        ToolTip.visible: hover.hovered && session.liveDetail !== ""
                        ToolTip.text: session.liveDetail
                        HoverHandler { id: hover }
                    }
                }
            }
            AppButton {
                objectName: "lockButton"
                text: "Lock"
                Accessible.name: "Lock SecureBase now"
                onClicked: session.lock()
            }
        }

        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: false
            spacing: 6
            AppButton {
                visible: session.isTherapist
                objectName: "navOverview"
                Layout.fillWidth: true
                text: "Client overview"
                primary: root.currentPage === "overview"
                onClicked: root.navigate("overview", {})
            }
            RowLayout {
                visible: session.isTherapist
                Layout.fillWidth: true
                spacing: 6
                AppButton {
                    visible: session.isTherapist
                    objectName: "navInvite"
                    Layout.fillWidth: true
                    text: "Invite a client"
                    primary: root.currentPage === "invite"
                    onClicked: root.navigate("invite", {})
                }
                AppButton {
                    visible: session.isTherapist
                    objectName: "navAvailability"
                    Layout.fillWidth: true
                    text: "Availability"
                    Accessible.name: "Edit availability notice"
                    primary: root.currentPage === "availability"
                    onClicked: root.navigate("availability", {})
                }
            }
            AppButton {
                visible: !session.isTherapist
                objectName: "navAccept"
                Layout.fillWidth: true
                text: "Add my therapist (invite code)"
                primary: root.currentPage === "accept"
                onClicked: root.navigate("accept", {})
            }
        }

        Label {
            text: session.isTherapist ? "Clients" : "Conversations"
            font.pixelSize: Theme.small
            font.bold: true
            color: Theme.muted
            Layout.topMargin: 4
        }
        ListView {
            id: list
            objectName: "contactList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 4
            model: session.contacts
            activeFocusOnTab: true
            keyNavigationEnabled: true
            Accessible.role: Accessible.List
            Accessible.name: session.isTherapist ? "Clients" : "Conversations"
            Keys.onReturnPressed: if (currentItem) currentItem.open()
            Keys.onEnterPressed: if (currentItem) currentItem.open()
            delegate: ContactDelegate {
                width: ListView.view.width
                selected: model.userId === root.currentPeer
                highlighted: ListView.isCurrentItem && list.activeFocus
                onOpened: root.navigate("conversation", { peerId: model.userId })
            }
            Label {
                anchors.centerIn: parent
                width: parent.width - 24
                visible: list.count === 0
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
                color: Theme.muted
                text: session.isTherapist ? "No clients yet. Invite one to start." : "No conversations yet. Ask your therapist for an invite code."
            }
        }

        AppButton {
            objectName: "navSettings"
            Layout.fillWidth: true
            text: "Settings and export"
            primary: root.currentPage === "settings"
            onClicked: root.navigate("settings", {})
        }
    }
}
