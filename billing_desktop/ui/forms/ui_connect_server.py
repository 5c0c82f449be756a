# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'connect_server.ui'
##
## Created by: Qt User Interface Compiler version 6.12.0
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractButton, QApplication, QDialog, QDialogButtonBox,
    QFormLayout, QLabel, QLineEdit, QSizePolicy,
    QVBoxLayout, QWidget)

class Ui_ConnectServerDialog(object):
    def setupUi(self, ConnectServerDialog) -> None:
        if not ConnectServerDialog.objectName():
            ConnectServerDialog.setObjectName(u"ConnectServerDialog")
        ConnectServerDialog.resize(460, 190)
        ConnectServerDialog.setMinimumSize(QSize(460, 0))
        self.dialogLayout = QVBoxLayout(ConnectServerDialog)
        self.dialogLayout.setObjectName(u"dialogLayout")
        self.formLayout = QFormLayout()
        self.formLayout.setObjectName(u"formLayout")
        self.urlLabel = QLabel(ConnectServerDialog)
        self.urlLabel.setObjectName(u"urlLabel")

        self.formLayout.setWidget(0, QFormLayout.ItemRole.LabelRole, self.urlLabel)

        self.serverUrl = QLineEdit(ConnectServerDialog)
        self.serverUrl.setObjectName(u"serverUrl")

        self.formLayout.setWidget(0, QFormLayout.ItemRole.FieldRole, self.serverUrl)

        self.tokenLabel = QLabel(ConnectServerDialog)
        self.tokenLabel.setObjectName(u"tokenLabel")

        self.formLayout.setWidget(1, QFormLayout.ItemRole.LabelRole, self.tokenLabel)

        self.serverToken = QLineEdit(ConnectServerDialog)
        self.serverToken.setObjectName(u"serverToken")
        self.serverToken.setEchoMode(QLineEdit.EchoMode.Password)

        self.formLayout.setWidget(1, QFormLayout.ItemRole.FieldRole, self.serverToken)


        self.dialogLayout.addLayout(self.formLayout)

        self.noteLabel = QLabel(ConnectServerDialog)
        self.noteLabel.setObjectName(u"noteLabel")
        self.noteLabel.setWordWrap(True)

        self.dialogLayout.addWidget(self.noteLabel)

        self.connectError = QLabel(ConnectServerDialog)
        self.connectError.setObjectName(u"connectError")
        self.connectError.setStyleSheet(u"color: #b91c1c;")
        self.connectError.setWordWrap(True)

        self.dialogLayout.addWidget(self.connectError)

        self.buttonBox = QDialogButtonBox(ConnectServerDialog)
        self.buttonBox.setObjectName(u"buttonBox")
        self.buttonBox.setStandardButtons(QDialogButtonBox.StandardButton.Cancel|QDialogButtonBox.StandardButton.Ok)

        self.dialogLayout.addWidget(self.buttonBox)

#if QT_CONFIG(shortcut)
        self.urlLabel.setBuddy(self.serverUrl)
        self.tokenLabel.setBuddy(self.serverToken)
#endif // QT_CONFIG(shortcut)
        QWidget.setTabOrder(self.serverUrl, self.serverToken)

        self.retranslateUi(ConnectServerDialog)

        QMetaObject.connectSlotsByName(ConnectServerDialog)
    # setupUi

    def retranslateUi(self, ConnectServerDialog) -> None:
        ConnectServerDialog.setWindowTitle(QCoreApplication.translate("ConnectServerDialog", u"Connect to server", None))
        self.urlLabel.setText(QCoreApplication.translate("ConnectServerDialog", u"&Server address:", None))
        self.serverUrl.setPlaceholderText(QCoreApplication.translate("ConnectServerDialog", u"https://billing.example.com", None))
#if QT_CONFIG(accessibility)
        self.serverUrl.setAccessibleName(QCoreApplication.translate("ConnectServerDialog", u"Server address", None))
#endif // QT_CONFIG(accessibility)
        self.tokenLabel.setText(QCoreApplication.translate("ConnectServerDialog", u"&Token:", None))
        self.serverToken.setPlaceholderText(QCoreApplication.translate("ConnectServerDialog", u"bdt_\u2026 (from: billing-desktop tokens create)", None))
#if QT_CONFIG(accessibility)
        self.serverToken.setAccessibleName(QCoreApplication.translate("ConnectServerDialog", u"Token", None))
#endif // QT_CONFIG(accessibility)
        self.noteLabel.setText(QCoreApplication.translate("ConnectServerDialog", u"Ask your administrator for a token. It is kept in the system keyring, not in a file.", None))
    # retranslateUi

