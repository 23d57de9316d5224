"""Chinese names of the audit log's action codes and of the role codes an event records.

The log stores codes (stable, hashed into the chain); people read these labels. Every
action the code records has an entry: tests/test_admin_chinese.py finds the
`record(action=…)` calls in the source and fails on a code without a label.
"""

from permissions.roles import Role

ACTION_LABELS: dict[str, str] = {
    # cases (workflows/services; workflows/outcomes.close_case records "case_<final state>")
    "case_submitted": "提交申请",
    "case_resubmitted": "补正后重新提交",
    "case_withdrawn": "撤回申请",
    "case_approved": "办结（通过）",
    "case_rejected": "办结（不予通过）",
    "case_active": "办结（协议生效）",
    "case_expired": "协议到期",
    "case_terminated": "协议终止",
    "attachments_uploaded": "上传附件",
    # review tasks (workflows/services/tasks.py: "task_<decision>")
    "task_claimed": "领取任务",
    "task_unclaimed": "取消领取",
    "task_reassigned": "改派任务",
    "task_approve": "审核通过",
    "task_return": "退回补正",
    "task_reject": "审核不予通过",
    "parallel_branch_cancelled": "撤销并行审核步骤",
    "filing_number_assigned": "编发备案号",
    # deadlines (workflows/services/deadline_watch.py)
    "deadline_reminded": "临近时限提醒",
    "deadline_escalated": "超时上报负责人",
    # cooperation agreements (workflows/services/cooperation.py, agreements.py)
    "agreement_confirmed": "对方机构确认协议",
    "agreement_changes_requested": "对方机构要求修改协议",
    "agreement_terminated": "提前终止协议",
    "agreement_activated": "协议生效",
    "agreement_expired": "协议到期",
    "agreement_expiry_reminded": "协议到期前提醒",
    # the working-day calendar (workflows/services/calendar.py)
    "calendar_day_set": "设置节假日或调休上班日",
    "calendar_day_removed": "删除节假日或调休调整",
    "calendar_year_entered": "标记年度节假日已录入",
    "calendar_year_reopened": "取消年度节假日已录入标记",
    # documents (documents/services.py)
    "document_requested": "申请签发文书",
    "document_issued": "签发文书",
    "document_corrected": "更正文书",
    # subsidies (workflows/subsidy.py, workflows/services/subsidy.py)
    "public_notice_started": "开始公示",
    "public_notice_ended": "公示结束",
    "objection_lodged": "提出公示异议",
    "budget_set": "设置补助预算",
    "policy_added": "新增补助政策版本",
    # the admin site (config/admin_site.py): every change made there
    "admin_object_added": "系统管理：新增记录",
    "admin_object_changed": "系统管理：修改记录",
    "admin_objects_deleted": "系统管理：删除记录",
    "admin_action_run": "系统管理：执行批量操作",
    # documents handed out and checked (documents/services.py: note_downloaded, note_verified)
    "document_downloaded": "下载文书",
    "document_verified": "核验文书",
    # accounts (audit/security.py): each on the account's own chain
    "login_succeeded": "登录成功",
    "login_failed": "登录失败",
    "account_locked_out": "账号因多次登录失败被锁定",
    "logout": "退出登录",
    "roles_changed": "变更角色",
    "permissions_changed": "变更权限",
    # the demo county (demo/cases.py)
    "sample_cases_loaded": "载入示例办件",
}

# The actor of events no person caused (timers, the deadline watch, the document workers).
SYSTEM_ROLE = "system"
SYSTEM_LABEL = "系统"


def action_label(code: str) -> str:
    """The Chinese name of an action; an unknown code is shown as it is rather than hidden."""
    return ACTION_LABELS.get(code, code)


def role_labels(codes: str) -> str:
    """The roles an event recorded ("admin,auditor" or "system") as Chinese names, joined by 、."""
    names = []
    for code in filter(None, (part.strip() for part in codes.split(","))):
        if code == SYSTEM_ROLE:
            names.append(SYSTEM_LABEL)
        elif code in Role.values:
            names.append(str(Role(code).label))
        else:
            names.append(code)
    return "、".join(names)
