# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'backups_dialog.ui'
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
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QApplication, QDialog,
    QDialogButtonBox, QHeaderView, QLabel, QSizePolicy,
    QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

class Ui_BackupsDialog(object):
    def setupUi(self, backupsDialog) -> None:
        if not backupsDialog.objectName():
            backupsDialog.setObjectName(u"backupsDialog")
        backupsDialog.resize(720, 380)
        self.dialogLayout = QVBoxLayout(backupsDialog)
        self.dialogLayout.setObjectName(u"dialogLayout")
        self.introLabel = QLabel(backupsDialog)
        self.introLabel.setObjectName(u"introLabel")
        self.introLabel.setWordWrap(True)

        self.dialogLayout.addWidget(self.introLabel)

        self.backupsTable = QTreeWidget(backupsDialog)
        self.backupsTable.setObjectName(u"backupsTable")
        self.backupsTable.setAlternatingRowColors(True)
        self.backupsTable.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.backupsTable.setRootIsDecorated(False)
        self.backupsTable.setUniformRowHeights(True)

        self.dialogLayout.addWidget(self.backupsTable)

        self.emptyLabel = QLabel(backupsDialog)
        self.emptyLabel.setObjectName(u"emptyLabel")

        self.dialogLayout.addWidget(self.emptyLabel)

        self.buttonBox = QDialogButtonBox(backupsDialog)
        self.buttonBox.setObjectName(u"buttonBox")
        self.buttonBox.setStandardButtons(QDialogButtonBox.StandardButton.Cancel)

        self.dialogLayout.addWidget(self.buttonBox)


        self.retranslateUi(backupsDialog)

        QMetaObject.connectSlotsByName(backupsDialog)
    # setupUi

    def retranslateUi(self, backupsDialog) -> None:
        backupsDialog.setWindowTitle(QCoreApplication.translate("BackupsDialog", u"Restore from backup", None))
        ___qtreewidgetitem = self.backupsTable.headerItem()
        ___qtreewidgetitem.setText(3, QCoreApplication.translate("BackupsDialog", u"File", None))
        ___qtreewidgetitem.setText(2, QCoreApplication.translate("BackupsDialog", u"Size", None))
        ___qtreewidgetitem.setText(1, QCoreApplication.translate("BackupsDialog", u"Kind", None))
        ___qtreewidgetitem.setText(0, QCoreApplication.translate("BackupsDialog", u"Taken", None))
#if QT_CONFIG(accessibility)
        self.backupsTable.setAccessibleName(QCoreApplication.translate("BackupsDialog", u"Backups of this store", None))
#endif // QT_CONFIG(accessibility)
        self.emptyLabel.setText(QCoreApplication.translate("BackupsDialog", u"There are no backups of this store yet.", None))
    # retranslateUi

