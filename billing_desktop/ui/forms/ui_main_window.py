# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'main_window.ui'
##
## Created by: Qt User Interface Compiler version 6.12.0
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QAction, QBrush, QColor, QConicalGradient,
    QCursor, QFont, QFontDatabase, QGradient,
    QIcon, QImage, QKeySequence, QLinearGradient,
    QPainter, QPalette, QPixmap, QRadialGradient,
    QTransform)
from PySide6.QtWidgets import (QApplication, QHBoxLayout, QLabel, QMainWindow,
    QMenu, QMenuBar, QProgressBar, QPushButton,
    QSizePolicy, QSpacerItem, QStackedWidget, QStatusBar,
    QTabWidget, QVBoxLayout, QWidget)

class Ui_MainWindow(object):
    def setupUi(self, MainWindow) -> None:
        if not MainWindow.objectName():
            MainWindow.setObjectName(u"MainWindow")
        MainWindow.resize(1280, 800)
        self.actionNewStore = QAction(MainWindow)
        self.actionNewStore.setObjectName(u"actionNewStore")
        self.actionBackUpNow = QAction(MainWindow)
        self.actionBackUpNow.setObjectName(u"actionBackUpNow")
        self.actionRestoreBackup = QAction(MainWindow)
        self.actionRestoreBackup.setObjectName(u"actionRestoreBackup")
        self.actionOpenStore = QAction(MainWindow)
        self.actionOpenStore.setObjectName(u"actionOpenStore")
        self.actionConnectServer = QAction(MainWindow)
        self.actionConnectServer.setObjectName(u"actionConnectServer")
        self.actionImport = QAction(MainWindow)
        self.actionImport.setObjectName(u"actionImport")
        self.actionPrintStatement = QAction(MainWindow)
        self.actionPrintStatement.setObjectName(u"actionPrintStatement")
        self.actionSaveStatements = QAction(MainWindow)
        self.actionSaveStatements.setObjectName(u"actionSaveStatements")
        self.actionQuit = QAction(MainWindow)
        self.actionQuit.setObjectName(u"actionQuit")
        self.actionQuit.setMenuRole(QAction.MenuRole.QuitRole)
        self.actionRefresh = QAction(MainWindow)
        self.actionRefresh.setObjectName(u"actionRefresh")
        self.actionGoToTab1 = QAction(MainWindow)
        self.actionGoToTab1.setObjectName(u"actionGoToTab1")
        self.actionGoToTab2 = QAction(MainWindow)
        self.actionGoToTab2.setObjectName(u"actionGoToTab2")
        self.actionGoToTab3 = QAction(MainWindow)
        self.actionGoToTab3.setObjectName(u"actionGoToTab3")
        self.actionGoToTab4 = QAction(MainWindow)
        self.actionGoToTab4.setObjectName(u"actionGoToTab4")
        self.actionGoToTab5 = QAction(MainWindow)
        self.actionGoToTab5.setObjectName(u"actionGoToTab5")
        self.actionAbout = QAction(MainWindow)
        self.actionAbout.setObjectName(u"actionAbout")
        self.actionAbout.setMenuRole(QAction.MenuRole.AboutRole)
        self.centralwidget = QWidget(MainWindow)
        self.centralwidget.setObjectName(u"centralwidget")
        self.centralLayout = QVBoxLayout(self.centralwidget)
        self.centralLayout.setObjectName(u"centralLayout")
        self.centralLayout.setContentsMargins(0, 0, 0, 0)
        self.pages = QStackedWidget(self.centralwidget)
        self.pages.setObjectName(u"pages")
        self.loadingPage = QWidget()
        self.loadingPage.setObjectName(u"loadingPage")
        self.loadingLayout = QVBoxLayout(self.loadingPage)
        self.loadingLayout.setObjectName(u"loadingLayout")
        self.loadingTopSpacer = QSpacerItem(20, 40, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.loadingLayout.addItem(self.loadingTopSpacer)

        self.loadingLabel = QLabel(self.loadingPage)
        self.loadingLabel.setObjectName(u"loadingLabel")
        self.loadingLabel.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.loadingLayout.addWidget(self.loadingLabel)

        self.loadingProgress = QProgressBar(self.loadingPage)
        self.loadingProgress.setObjectName(u"loadingProgress")
        self.loadingProgress.setMinimumSize(QSize(260, 0))
        self.loadingProgress.setMaximum(0)
        self.loadingProgress.setTextVisible(False)

        self.loadingLayout.addWidget(self.loadingProgress, 0, Qt.AlignmentFlag.AlignHCenter)

        self.loadingBottomSpacer = QSpacerItem(20, 40, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.loadingLayout.addItem(self.loadingBottomSpacer)

        self.pages.addWidget(self.loadingPage)
        self.workspacePage = QWidget()
        self.workspacePage.setObjectName(u"workspacePage")
        self.workspaceLayout = QVBoxLayout(self.workspacePage)
        self.workspaceLayout.setObjectName(u"workspaceLayout")
        self.workspaceLayout.setContentsMargins(8, 8, 8, 4)
        self.tabs = QTabWidget(self.workspacePage)
        self.tabs.setObjectName(u"tabs")
        self.tabs.setDocumentMode(True)

        self.workspaceLayout.addWidget(self.tabs)

        self.pages.addWidget(self.workspacePage)
        self.emptyPage = QWidget()
        self.emptyPage.setObjectName(u"emptyPage")
        self.emptyLayout = QVBoxLayout(self.emptyPage)
        self.emptyLayout.setObjectName(u"emptyLayout")
        self.emptyLayout.setContentsMargins(64, -1, 64, -1)
        self.emptyTopSpacer = QSpacerItem(20, 40, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.emptyLayout.addItem(self.emptyTopSpacer)

        self.emptyIcon = QLabel(self.emptyPage)
        self.emptyIcon.setObjectName(u"emptyIcon")
        self.emptyIcon.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.emptyLayout.addWidget(self.emptyIcon)

        self.emptyTitle = QLabel(self.emptyPage)
        self.emptyTitle.setObjectName(u"emptyTitle")
        self.emptyTitle.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.emptyLayout.addWidget(self.emptyTitle)

        self.emptyText = QLabel(self.emptyPage)
        self.emptyText.setObjectName(u"emptyText")
        self.emptyText.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.emptyText.setWordWrap(True)

        self.emptyLayout.addWidget(self.emptyText)

        self.emptyButtons = QHBoxLayout()
        self.emptyButtons.setSpacing(12)
        self.emptyButtons.setObjectName(u"emptyButtons")
        self.emptyButtons.setContentsMargins(-1, 12, -1, -1)
        self.emptyButtonsLeftSpacer = QSpacerItem(40, 20, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.emptyButtons.addItem(self.emptyButtonsLeftSpacer)

        self.createDemoButton = QPushButton(self.emptyPage)
        self.createDemoButton.setObjectName(u"createDemoButton")

        self.emptyButtons.addWidget(self.createDemoButton)

        self.importCsvButton = QPushButton(self.emptyPage)
        self.importCsvButton.setObjectName(u"importCsvButton")

        self.emptyButtons.addWidget(self.importCsvButton)

        self.emptyButtonsRightSpacer = QSpacerItem(40, 20, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.emptyButtons.addItem(self.emptyButtonsRightSpacer)


        self.emptyLayout.addLayout(self.emptyButtons)

        self.emptyBottomSpacer = QSpacerItem(20, 40, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.emptyLayout.addItem(self.emptyBottomSpacer)

        self.pages.addWidget(self.emptyPage)
        self.noAccessPage = QWidget()
        self.noAccessPage.setObjectName(u"noAccessPage")
        self.noAccessLayout = QVBoxLayout(self.noAccessPage)
        self.noAccessLayout.setObjectName(u"noAccessLayout")
        self.noAccessLayout.setContentsMargins(64, -1, 64, -1)
        self.noAccessTopSpacer = QSpacerItem(20, 40, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.noAccessLayout.addItem(self.noAccessTopSpacer)

        self.noAccessIcon = QLabel(self.noAccessPage)
        self.noAccessIcon.setObjectName(u"noAccessIcon")
        self.noAccessIcon.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.noAccessLayout.addWidget(self.noAccessIcon)

        self.noAccessTitle = QLabel(self.noAccessPage)
        self.noAccessTitle.setObjectName(u"noAccessTitle")
        self.noAccessTitle.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.noAccessLayout.addWidget(self.noAccessTitle)

        self.noAccessText = QLabel(self.noAccessPage)
        self.noAccessText.setObjectName(u"noAccessText")
        self.noAccessText.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.noAccessText.setWordWrap(True)
        self.noAccessText.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.noAccessLayout.addWidget(self.noAccessText)

        self.noAccessBottomSpacer = QSpacerItem(20, 40, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.noAccessLayout.addItem(self.noAccessBottomSpacer)

        self.pages.addWidget(self.noAccessPage)

        self.centralLayout.addWidget(self.pages)

        MainWindow.setCentralWidget(self.centralwidget)
        self.menubar = QMenuBar(MainWindow)
        self.menubar.setObjectName(u"menubar")
        self.menubar.setGeometry(QRect(0, 0, 1280, 24))
        self.menuFile = QMenu(self.menubar)
        self.menuFile.setObjectName(u"menuFile")
        self.menuView = QMenu(self.menubar)
        self.menuView.setObjectName(u"menuView")
        self.menuHelp = QMenu(self.menubar)
        self.menuHelp.setObjectName(u"menuHelp")
        MainWindow.setMenuBar(self.menubar)
        self.statusbar = QStatusBar(MainWindow)
        self.statusbar.setObjectName(u"statusbar")
        MainWindow.setStatusBar(self.statusbar)

        self.menubar.addAction(self.menuFile.menuAction())
        self.menubar.addAction(self.menuView.menuAction())
        self.menubar.addAction(self.menuHelp.menuAction())
        self.menuFile.addAction(self.actionNewStore)
        self.menuFile.addAction(self.actionOpenStore)
        self.menuFile.addAction(self.actionConnectServer)
        self.menuFile.addSeparator()
        self.menuFile.addAction(self.actionImport)
        self.menuFile.addSeparator()
        self.menuFile.addAction(self.actionBackUpNow)
        self.menuFile.addAction(self.actionRestoreBackup)
        self.menuFile.addSeparator()
        self.menuFile.addAction(self.actionPrintStatement)
        self.menuFile.addAction(self.actionSaveStatements)
        self.menuFile.addSeparator()
        self.menuFile.addAction(self.actionQuit)
        self.menuView.addAction(self.actionRefresh)
        self.menuView.addSeparator()
        self.menuView.addAction(self.actionGoToTab1)
        self.menuView.addAction(self.actionGoToTab2)
        self.menuView.addAction(self.actionGoToTab3)
        self.menuView.addAction(self.actionGoToTab4)
        self.menuView.addAction(self.actionGoToTab5)
        self.menuHelp.addAction(self.actionAbout)

        self.retranslateUi(MainWindow)

        self.pages.setCurrentIndex(0)
        self.tabs.setCurrentIndex(-1)
        self.createDemoButton.setDefault(True)


        QMetaObject.connectSlotsByName(MainWindow)
    # setupUi

    def retranslateUi(self, MainWindow) -> None:
        MainWindow.setWindowTitle(QCoreApplication.translate("MainWindow", u"Billing Desktop", None))
        self.actionNewStore.setText(QCoreApplication.translate("MainWindow", u"&New local store\u2026", None))
#if QT_CONFIG(tooltip)
        self.actionNewStore.setToolTip(QCoreApplication.translate("MainWindow", u"Create a new, empty local store file and open it", None))
#endif // QT_CONFIG(tooltip)
#if QT_CONFIG(shortcut)
        self.actionNewStore.setShortcut(QCoreApplication.translate("MainWindow", u"Ctrl+N", None))
#endif // QT_CONFIG(shortcut)
        self.actionBackUpNow.setText(QCoreApplication.translate("MainWindow", u"&Back up now\u2026", None))
#if QT_CONFIG(tooltip)
        self.actionBackUpNow.setToolTip(QCoreApplication.translate("MainWindow", u"Save a consistent copy of the local store (safe while the app runs)", None))
#endif // QT_CONFIG(tooltip)
        self.actionRestoreBackup.setText(QCoreApplication.translate("MainWindow", u"&Restore from backup\u2026", None))
#if QT_CONFIG(tooltip)
        self.actionRestoreBackup.setToolTip(QCoreApplication.translate("MainWindow", u"Replace the local store by one of its backups; the current store is kept aside", None))
#endif // QT_CONFIG(tooltip)
        self.actionOpenStore.setText(QCoreApplication.translate("MainWindow", u"&Open store\u2026", None))
#if QT_CONFIG(tooltip)
        self.actionOpenStore.setToolTip(QCoreApplication.translate("MainWindow", u"Open an existing local store file", None))
#endif // QT_CONFIG(tooltip)
#if QT_CONFIG(shortcut)
        self.actionOpenStore.setShortcut(QCoreApplication.translate("MainWindow", u"Ctrl+O", None))
#endif // QT_CONFIG(shortcut)
        self.actionConnectServer.setText(QCoreApplication.translate("MainWindow", u"&Connect to server\u2026", None))
#if QT_CONFIG(tooltip)
        self.actionConnectServer.setToolTip(QCoreApplication.translate("MainWindow", u"Work on a shared workspace served by billing-desktop serve", None))
#endif // QT_CONFIG(tooltip)
#if QT_CONFIG(shortcut)
        self.actionConnectServer.setShortcut(QCoreApplication.translate("MainWindow", u"Ctrl+Shift+O", None))
#endif // QT_CONFIG(shortcut)
        self.actionImport.setText(QCoreApplication.translate("MainWindow", u"&Import\u2026", None))
#if QT_CONFIG(tooltip)
        self.actionImport.setToolTip(QCoreApplication.translate("MainWindow", u"Import a CSV file into this store", None))
#endif // QT_CONFIG(tooltip)
#if QT_CONFIG(shortcut)
        self.actionImport.setShortcut(QCoreApplication.translate("MainWindow", u"Ctrl+I", None))
#endif // QT_CONFIG(shortcut)
        self.actionPrintStatement.setText(QCoreApplication.translate("MainWindow", u"&Print statement\u2026", None))
#if QT_CONFIG(tooltip)
        self.actionPrintStatement.setToolTip(QCoreApplication.translate("MainWindow", u"Print the statement of one or more months, with a preview", None))
#endif // QT_CONFIG(tooltip)
#if QT_CONFIG(shortcut)
        self.actionPrintStatement.setShortcut(QCoreApplication.translate("MainWindow", u"Ctrl+P", None))
#endif // QT_CONFIG(shortcut)
        self.actionSaveStatements.setText(QCoreApplication.translate("MainWindow", u"Save s&tatements as PDF\u2026", None))
#if QT_CONFIG(tooltip)
        self.actionSaveStatements.setToolTip(QCoreApplication.translate("MainWindow", u"Save the statements of one or more months as PDF files in a folder", None))
#endif // QT_CONFIG(tooltip)
        self.actionQuit.setText(QCoreApplication.translate("MainWindow", u"&Quit", None))
#if QT_CONFIG(shortcut)
        self.actionQuit.setShortcut(QCoreApplication.translate("MainWindow", u"Ctrl+Q", None))
#endif // QT_CONFIG(shortcut)
        self.actionRefresh.setText(QCoreApplication.translate("MainWindow", u"&Refresh", None))
#if QT_CONFIG(tooltip)
        self.actionRefresh.setToolTip(QCoreApplication.translate("MainWindow", u"Reload the data shown from the store", None))
#endif // QT_CONFIG(tooltip)
#if QT_CONFIG(shortcut)
        self.actionRefresh.setShortcut(QCoreApplication.translate("MainWindow", u"F5", None))
#endif // QT_CONFIG(shortcut)
        self.actionGoToTab1.setText(QCoreApplication.translate("MainWindow", u"Go to tab &1", None))
#if QT_CONFIG(shortcut)
        self.actionGoToTab1.setShortcut(QCoreApplication.translate("MainWindow", u"Ctrl+1", None))
#endif // QT_CONFIG(shortcut)
        self.actionGoToTab2.setText(QCoreApplication.translate("MainWindow", u"Go to tab &2", None))
#if QT_CONFIG(shortcut)
        self.actionGoToTab2.setShortcut(QCoreApplication.translate("MainWindow", u"Ctrl+2", None))
#endif // QT_CONFIG(shortcut)
        self.actionGoToTab3.setText(QCoreApplication.translate("MainWindow", u"Go to tab &3", None))
#if QT_CONFIG(shortcut)
        self.actionGoToTab3.setShortcut(QCoreApplication.translate("MainWindow", u"Ctrl+3", None))
#endif // QT_CONFIG(shortcut)
        self.actionGoToTab4.setText(QCoreApplication.translate("MainWindow", u"Go to tab &4", None))
#if QT_CONFIG(shortcut)
        self.actionGoToTab4.setShortcut(QCoreApplication.translate("MainWindow", u"Ctrl+4", None))
#endif // QT_CONFIG(shortcut)
        self.actionGoToTab5.setText(QCoreApplication.translate("MainWindow", u"Go to tab &5", None))
#if QT_CONFIG(shortcut)
        self.actionGoToTab5.setShortcut(QCoreApplication.translate("MainWindow", u"Ctrl+5", None))
#endif // QT_CONFIG(shortcut)
        self.actionAbout.setText(QCoreApplication.translate("MainWindow", u"&About Billing Desktop", None))
        self.loadingLabel.setText(QCoreApplication.translate("MainWindow", u"Opening the store\u2026", None))
        self.emptyTitle.setText(QCoreApplication.translate("MainWindow", u"This store is empty", None))
        self.emptyText.setText(QCoreApplication.translate("MainWindow", u"Create a demo workspace to look around with realistic data, or import your own account, rate card, users and usage from CSV files (start with the account).", None))
        self.createDemoButton.setText(QCoreApplication.translate("MainWindow", u"Create &demo workspace", None))
        self.importCsvButton.setText(QCoreApplication.translate("MainWindow", u"&Import CSV\u2026", None))
        self.noAccessTitle.setText(QCoreApplication.translate("MainWindow", u"No billing access", None))
        self.noAccessText.setText(QCoreApplication.translate("MainWindow", u"Your user has no billing rights in this workspace. Ask an account admin for a role or an access group with billing rights.", None))
        self.menuFile.setTitle(QCoreApplication.translate("MainWindow", u"&File", None))
        self.menuView.setTitle(QCoreApplication.translate("MainWindow", u"&View", None))
        self.menuHelp.setTitle(QCoreApplication.translate("MainWindow", u"&Help", None))
    # retranslateUi

