import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SecureBase

// The unlocked app: the contact list on the left, the chosen page on the
// right. `show(page, params)` navigates; pages read `home.params`.
Item {
    id: home
    objectName: "homeScreen"
    property string page: session.isTherapist ? "overview" : "start"
    property var params: ({})

    function show(name, p) {
        params = p || {}
        page = name
        // The pages that show or send to one contact's conversation.
        if (params.peerId && ["conversation", "exercises", "checkin", "reflection", "suggest"].indexOf(name) >= 0)
            session.openConversation(params.peerId)
        if (params.peerId && name === "dashboard")
            session.openDashboard(params.peerId)
        if (params.peerId && name === "safety")
            session.trust.load(params.peerId)
        if (name === "dashboard") dashboardLoader.forceActiveFocus()
        else pageLoader.forceActiveFocus()
    }

    Connections {
        target: session
        function onOpenPeerChanged() {
            if (session.openPeerId !== "" && home.page === "accept")
                home.show("conversation", { peerId: session.openPeerId })
        }
    }

    RowLayout {
        anchors.fill: parent
        spacing: 0
        Sidebar {
            id: sidebar
            Layout.fillHeight: true
            Layout.preferredWidth: 300
            currentPeer: home.params.peerId || ""
            currentPage: home.page
            onNavigate: (name, p) => home.show(name, p)
        }
        Rectangle { Layout.fillHeight: true; width: 1; color: Theme.border }
        Item {
            Layout.fillWidth: true
            Layout.fillHeight: true
        Loader {
            id: pageLoader
            objectName: "pageLoader"
            anchors.fill: parent
            visible: home.page !== "dashboard"
            focus: visible
            source: {
                switch (home.page) {
                case "overview": return "ClientOverview.qml"
                case "conversation": return "ConversationView.qml"
                case "dashboard": return ""
                case "invite": return "InviteScreen.qml"
                case "availability": return "AvailabilityEditor.qml"
                case "accept": return "AcceptInviteScreen.qml"
                case "settings": return "SettingsScreen.qml"
                case "safety": return "SafetyNumberScreen.qml"
                case "checkin": return "CheckInForm.qml"
                case "reflection": return "ReflectionForm.qml"
                case "exercises": return "ExerciseList.qml"
                case "suggest": return "SuggestExercise.qml"
                default: return "StartPage.qml"
                }
            }
        }
        // The dashboard's charts are the costliest page to make: a therapist's
        // is made in the background (while the vault unlocks) and kept.
        Loader {
            id: dashboardLoader
            objectName: "dashboardLoader"
            anchors.fill: parent
            active: session.isTherapist
            asynchronous: home.page !== "dashboard"
            visible: home.page === "dashboard" && status === Loader.Ready
            focus: visible
            source: "ClientDashboard.qml"
        }
        }
    }

    // Over every page that sends (compose, check-in, reflection).
    CrisisPrompt { parent: Overlay.overlay }
}
