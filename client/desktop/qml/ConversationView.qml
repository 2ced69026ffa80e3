import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// One conversation: header with trust state and actions, the therapist's
// availability and "not for emergencies" (always visible to a client), a
// key-change warning with Trust and Verify, the items as cards, and compose.
Item {
    id: root
    objectName: "conversationView"
    readonly property var conv: session.conversation
    property bool clearComposeOnSent: false

    Connections {
        target: root.conv
        function onSent(type) {
            if (type === "text" && root.clearComposeOnSent) {
                compose.text = ""
                root.clearComposeOnSent = false
            }
        }
        function onCrisisPromptChanged() {
            if ((root.conv.crisisPrompt.title || "") === "" && !root.conv.sending) root.clearComposeOnSent = false
        }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.pad
        spacing: 10

        PageHeader {
            Layout.fillWidth: true
            title: conv.peerName
            subtitle: !conv.linked ? "This care link has ended. The history stays in your vault."
                      : conv.identityChanged ? "\u26a0 Safety number changed: not verified"
                      : conv.verified ? "\u2713 Safety number verified"
                      : "Safety number not verified yet"
            AppButton {
                objectName: "safetyNumberButton"
                text: "Safety number"
                Accessible.name: "Show safety number"
                onClicked: home.show("safety", { peerId: conv.peerId })
            }
            AppButton {
                visible: session.isTherapist
                objectName: "dashboardButton"
                text: "Dashboard"
                Accessible.name: "Open check-in dashboard"
                onClicked: home.show("dashboard", { peerId: conv.peerId })
            }
            AppButton {
                objectName: "exercisesButton"
                text: session.exercises.openCount > 0 ? "Exercises (" + session.exercises.openCount + ")" : "Exercises"
                Accessible.name: "Exercises, " + session.exercises.openCount + " open"
                onClicked: home.show("exercises", { peerId: conv.peerId })
            }
        }

        Banner {
            objectName: "keyChangeBanner"
            visible: conv.identityChanged
            Layout.fillWidth: true
            kind: "warning"
            title: conv.peerName + "'s safety number changed"
            text: "This happens when they reinstalled SecureBase, or when someone is trying to listen in. Compare the new safety number with them (in person or by phone) before you trust it. Messages you send wait until then."
            AppButton {
                objectName: "verifyFromBanner"
                text: "Compare"
                Accessible.name: "Compare safety numbers"
                onClicked: home.show("safety", { peerId: conv.peerId })
            }
            AppButton {
                objectName: "trustFromBanner"
                text: "Trust"
                Accessible.name: "Trust the new safety number"
                onClicked: session.trust.load(conv.peerId), trustConfirm.open()
            }
        }

        Banner {
            objectName: "availabilityBanner"
            visible: conv.peerIsTherapist
            Layout.fillWidth: true
            kind: "info"
            title: conv.availabilityText !== "" ? conv.peerName + "'s availability: " + conv.availabilityText
                                                 : conv.peerName + " has not shared their availability yet."
            text: conv.emergencyGuidance !== "" ? "SecureBase is not for emergencies. " + conv.emergencyGuidance
                                                : conv.generalEmergencyGuidance
        }

        Rectangle {
            Layout.fillWidth: true
            Layout.fillHeight: true
            radius: Theme.radius
            color: Theme.background
            border.color: Theme.border
            ListView {
                id: items
                objectName: "conversationItems"
                anchors.fill: parent
                anchors.margins: 8
                clip: true
                spacing: 8
                model: conv
                activeFocusOnTab: true
                keyNavigationEnabled: true
                Accessible.role: Accessible.List
                Accessible.name: "Conversation with " + conv.peerName
                // Opening a long conversation creates only the visible delegates.
                reuseItems: true
                cacheBuffer: 600
                delegate: MessageDelegate { width: ListView.view.width }
                // Stays at the newest item while the reader is there (as rows
                // arrive or settle their heights); stays put once they scroll up.
                property bool stickToEnd: true
                onMovementEnded: stickToEnd = atYEnd
                onCountChanged: if (stickToEnd) Qt.callLater(positionViewAtEnd)
                onContentHeightChanged: if (stickToEnd) Qt.callLater(positionViewAtEnd)
                Component.onCompleted: positionViewAtEnd()
                ScrollBar.vertical: ScrollBar {}
                BusyIndicator {
                    anchors.centerIn: parent
                    running: conv.loading
                    visible: running
                }
                Label {
                    anchors.centerIn: parent
                    visible: !conv.loading && items.count === 0
                    color: Theme.muted
                    text: "Nothing here yet."
                }
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: 8
            visible: conv.linked
            AppButton {
                visible: !session.isTherapist
                objectName: "checkInButton"
                text: "Check-in"
                Accessible.name: "New check-in"
                onClicked: home.show("checkin", { peerId: conv.peerId })
            }
            AppButton {
                visible: !session.isTherapist
                objectName: "reflectionButton"
                text: "Reflection"
                Accessible.name: "New reflection"
                onClicked: home.show("reflection", { peerId: conv.peerId, kind: "free" })
            }
            AppButton {
                visible: session.isTherapist
                objectName: "suggestButton"
                text: "Suggest an exercise"
                onClicked: home.show("suggest", { peerId: conv.peerId })
            }
            ScrollView {
                Layout.fillWidth: true
                Layout.preferredHeight: Math.min(120, Math.max(40, compose.implicitHeight))
                TextArea {
                    id: compose
                    objectName: "composeField"
                    placeholderText: "Write a message\u2026  (Ctrl+Enter sends)"
                    wrapMode: TextEdit.Wrap
                    textFormat: TextEdit.PlainText
                    selectByMouse: true
                    Accessible.name: "Message to " + conv.peerName
                    Keys.onTabPressed: (event) => { sendButton.forceActiveFocus(Qt.TabFocusReason); event.accepted = true }
                    Keys.onPressed: (event) => {
                        if ((event.key === Qt.Key_Return || event.key === Qt.Key_Enter) && (event.modifiers & Qt.ControlModifier)) {
                            sendButton.clicked(); event.accepted = true
                        }
                    }
                    background: Rectangle {
                        radius: 8
                        color: Theme.surface
                        border.width: compose.activeFocus ? 2 : 1
                        border.color: compose.activeFocus ? Theme.focus : Theme.border
                    }
                }
            }
            AppButton {
                id: sendButton
                objectName: "sendButton"
                primary: true
                text: conv.sending ? "Sending\u2026" : "Send"
                Accessible.name: "Send message"
                enabled: compose.text.trim() !== "" && !conv.sending
                onClicked: {
                    conv.sendText(compose.text)
                    // Behind the crisis prompt the text stays until it is sent.
                    if ((conv.crisisPrompt.title || "") === "") compose.text = ""
                    else root.clearComposeOnSent = true
                }
            }
        }
    }

    Dialog {
        id: trustConfirm
        objectName: "trustDialog"
        anchors.centerIn: parent
        modal: true
        title: "Trust " + conv.peerName + "'s new safety number?"
        width: 460
        contentItem: Label {
            wrapMode: Text.WordWrap
            text: "Only do this if you have a reason to believe it is really them, for example they told you they set up SecureBase again. Comparing safety numbers is safer."
        }
        footer: DialogButtonBox {
            Button { text: "Cancel"; DialogButtonBox.buttonRole: DialogButtonBox.RejectRole }
            Button { text: "Trust"; objectName: "trustConfirmButton"; DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole }
        }
        onAccepted: session.trust.trust()
    }
}
