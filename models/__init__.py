"""The database proxy and every model, in the order their tables are created."""
from . import clock
from .archives import ContactLog, Document, GradeEvaluation, OwnershipChange
from .base import BaseModel, Voidable, db, is_postgres, is_sqlite, now, open_database
from .complaints import (
    Complaint,
    ComplaintProgress,
    ComplaintStep,
    Delivery,
    Notification,
    PenaltyNotice,
    ResponsibilityShare,
    ReturnLine,
    ReturnRequest,
)
from .customers import Customer, EmergencyContact, TimelineEntry
from .platform import (
    AccessLog,
    AuditEntry,
    DutyRun,
    Holiday,
    Job,
    LoginFailure,
    RateHit,
    ReportSignoff,
    SerialCounter,
    Setting,
    StoredFile,
    Submission,
)
from .reception import (
    CustomerVisit,
    FollowUp,
    Handover,
    Invitation,
    Referral,
    RotaEntry,
    RotationSlot,
    RotationTurn,
    Visit,
    VisitRequest,
)
from .registers import REGISTER_MODELS
from .repairs import (
    RepairRequest,
    ServiceItem,
    WorkOrder,
    WorkOrderItem,
    WorkOrderMaterial,
)
from .users import User
from .vip import Gift, Message, PointsEntry, Purchase, Redemption, VipCard

MODELS = [
    User,
    DutyRun,
    Setting,
    SerialCounter,
    AuditEntry,
    AccessLog,
    Customer,
    EmergencyContact,
    TimelineEntry,
    Visit,
    RotationSlot,
    Referral,
    RotationTurn,
    CustomerVisit,
    FollowUp,
    Handover,
    Complaint,
    ComplaintStep,
    ComplaintProgress,
    ResponsibilityShare,
    PenaltyNotice,
    ReturnRequest,
    ReturnLine,
    Notification,
    Delivery,
    ServiceItem,
    RepairRequest,
    WorkOrder,
    WorkOrderItem,
    WorkOrderMaterial,
    VipCard,
    Purchase,
    PointsEntry,
    Gift,
    Redemption,
    Message,
    Document,
    GradeEvaluation,
    ContactLog,
    OwnershipChange,
    Job,
    StoredFile,
    ReportSignoff,
    LoginFailure,
    RateHit,
    Submission,
    Holiday,
    RotaEntry,
    Invitation,
    VisitRequest,
    *REGISTER_MODELS,
]

for _model in MODELS:
    if issubclass(_model, Voidable):
        _model.add_index(_model.voided_index())


__all__ = ["db", "now", "clock", "open_database", "is_sqlite", "is_postgres", "BaseModel", "Voidable",
           "MODELS", "User", "DutyRun", "Setting", "SerialCounter", "AuditEntry", "AccessLog", "Customer",
           "EmergencyContact", "TimelineEntry", "Visit", "RotationSlot", "Referral", "RotationTurn",
           "CustomerVisit", "FollowUp", "Handover", "RotaEntry", "Invitation", "VisitRequest", "Complaint", "ComplaintStep", "ComplaintProgress",
           "ResponsibilityShare", "PenaltyNotice", "ReturnRequest", "ReturnLine", "Notification", "Delivery",
           "ServiceItem", "RepairRequest", "WorkOrder", "WorkOrderItem", "WorkOrderMaterial",
           "VipCard", "Purchase", "PointsEntry", "Gift", "Redemption", "Message",
           "Document", "GradeEvaluation", "ContactLog", "OwnershipChange",
           "Job", "StoredFile", "ReportSignoff", "Submission", "Holiday"]
