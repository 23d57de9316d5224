"""The admin speaks Chinese: model and app names, columns, filters, titles, audit actions and roles.

An administrator logs in through the admin's login page (admin / DEMO_PASSWORD) and
opens every page the index leads to, with a filed case in the database so the case,
document, alert and audit pages have rows to show.
"""

import ast
import html as htmllib
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db.models import CharField, FileField, JSONField, TextField
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.actions import ACTION_LABELS, action_label, role_labels
from audit.models import AuditEvent
from permissions.roles import Role
from workflows.models.case import OPEN_STATES, CaseState, Decision

ROOT = Path(settings.BASE_DIR)
CJK = re.compile(r"[\u4e00-\u9fff]")
# Words that are Chinese UI usage as they stand: "IP 地址", "文书 ID", "API", "SHA-256";
# Django's own Chinese help text of the add-user page names LDAP.
ALLOWED_WORDS = {"IP", "ID", "API", "SHA", "LDAP"}


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<bdi>.*?</bdi>", " ", page, flags=re.S)  # the password hash's parts (algorithm, salt)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]{2,}", text))


def data_words() -> set[str]:
    """ASCII words in the text the admin's models hold (usernames, codes, case numbers,
    user agents, audit details): data, not UI text."""
    found: set[str] = set()
    for model in admin.site._registry:
        fields = [
            f.name for f in model._meta.concrete_fields if isinstance(f, (CharField, TextField, JSONField, FileField))
        ]
        for row in model._default_manager.values_list(*fields):
            for value in row:
                if isinstance(value, str):
                    found |= words(value)
                elif isinstance(value, (dict, list)):
                    found |= words(json.dumps(value, ensure_ascii=False))
    return found


def admin_client() -> Client:
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": settings.DEMO_PASSWORD})
    assert response.status_code == 302, "admin could not log in"
    return client


@pytest.fixture
def filed_case(driver):
    """A clinic filing taken through to 备案, with its documents, audit events and a deadline alert."""
    from workflows.services.deadline_watch import watch_deadlines

    case = driver.file(driver.submit())
    open_case = driver.submit()  # an open township step, overdue 60 days from now
    watch_deadlines(today=timezone.localdate() + timedelta(days=60))
    return case, open_case


def test_admin_index_lists_only_chinese_names_and_no_viewflow(demo):
    page = admin_client().get("/admin/").content.decode()
    apps_shown = re.findall(r'<a href="(/admin/[a-z_]+/)" class="section"[^>]*>([^<]+)</a>', page)
    models_shown = re.findall(r'<th scope="row" id="[^"]+">\s*<a href="(/admin/[^"]+)"[^>]*>([^<]+)</a>', page)
    assert len(models_shown) >= 10, page
    for url, name in apps_shown + models_shown:
        assert CJK.search(name) and not words(name) - ALLOWED_WORDS, f"{name} ({url}) is not a Chinese name"
    urls = [url for url, _ in models_shown]
    assert not [url for url in urls if url.startswith("/admin/viewflow/")], "viewflow's Process/Task pages are gone"
    assert not [url for url in urls if url.startswith(("/admin/guardian/", "/admin/authtoken/"))]
    assert "/admin/axes/accessfailurelog/" not in urls
    names = {name for _, name in models_shown}
    assert {"角色", "用户", "登录失败与锁定", "登录记录", "审计事件", "办件"} <= names
    assert "医养通办" in page and "Django" not in visible_text(page)
    assert not words(visible_text(page)) - ALLOWED_WORDS - {"admin"}  # "admin": the user's name in the header


def test_failed_admin_login_says_error_in_chinese(demo):
    """Django's zh_Hans catalog has no "Error:" for the title; templates/admin/ says it."""
    page = Client().post("/admin/login/", {"username": "admin", "password": "wrong-password-1"}).content.decode()
    title = re.search(r"<title>(.*?)</title>", page, flags=re.S).group(1)
    assert title.startswith("错误：") and not words(title), title


def test_viewflow_admin_pages_are_not_served(demo):
    client = admin_client()
    assert client.get("/admin/viewflow/process/").status_code == 404
    assert client.get("/admin/viewflow/task/").status_code == 404


def test_every_admin_page_reachable_from_the_index_is_chinese(demo, users, filed_case):
    client = admin_client()
    from datetime import date

    from workflows.models import Budget, CalendarDay, CalendarYear

    CalendarDay.objects.create(date=date(2031, 1, 1), is_workday=False, name="元旦")
    CalendarYear.objects.create(year=2031)
    Budget.objects.create(year=2031, kind="hiring", total="100000.00")
    # A locked-out login and a log-in record, so the django-axes pages have rows.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post("/accounts/login/", {"username": "twp-anwen", "password": "wrong-password-1"})
    some_user = users("twp-anwen")
    urls = [
        "/admin/",
        "/admin/password_change/",
        "/admin/password_change/done/",
        f"/admin/permissions/user/{some_user.pk}/password/",
    ]
    for model in admin.site._registry:
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))  # or the Chinese 403 page
        row = model._default_manager.order_by("pk").first()
        assert row is not None, f"no {opts.label} row to look at"
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk]))
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[row.pk]))
    known_data = data_words()
    problems = {}
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code in (200, 403), (url, response.status_code)
        page = response.content.decode()
        title = re.search(r"<title>(.*?)</title>", page, flags=re.S).group(1)
        english = (words(visible_text(page)) | words(title)) - known_data - ALLOWED_WORDS
        if english:
            problems[url] = sorted(english)
    assert not problems, problems


def test_audit_list_shows_actions_and_roles_by_their_chinese_names(demo, filed_case):
    case, _ = filed_case
    page = admin_client().get(f"/admin/audit/auditevent/?q={case.case_no}").content.decode()
    text = visible_text(page)
    for label in ("提交申请", "领取任务", "审核通过", "编发备案号", "办结（通过）", "签发文书"):
        assert label in text
    for role in ("机构经办人", "乡镇（街道）审核员", "县民政局审核员", "县卫健局审核员", "系统"):
        assert role in text
    for code in ("case_submitted", "task_approve", "township_reviewer", "applicant"):
        assert code not in text
    # The filter offers the actions by name, too.
    assert re.search(r'href="\?[^"]*action=task_approve[^"]*"[^>]*>审核通过<', page)
    filtered = visible_text(admin_client().get("/admin/audit/auditevent/?action=task_approve").content.decode())
    approvals = AuditEvent.objects.filter(action="task_approve").count()
    assert approvals >= 3 and f"{approvals} 审计事件" in filtered


def source_files():
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in {".venv", "tests", "bench", "var"} or "migrations" in parts:
            continue
        yield path


def recorded_actions() -> dict[str, str]:
    """Every action code the source passes to audit.services.record, with where it is recorded.

    Literal codes are taken as they are; `f"case_{state}"` and `f"task_{decision}"` are
    expanded over the values that reach them (final case states, decisions); a variable
    is followed to the string constants the enclosing function's callers pass for it.
    """
    expansions = {
        "case_": [state for state in CaseState.values if state not in OPEN_STATES],
        "task_": list(Decision.values),
    }
    found: dict[str, str] = {}
    for path in source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for call in ast.walk(tree):
            if not (
                isinstance(call, ast.Call) and getattr(call.func, "id", getattr(call.func, "attr", None)) == "record"
            ):
                continue
            action = next((kw.value for kw in call.keywords if kw.arg == "action"), None)
            where = f"{path.relative_to(ROOT)}:{call.lineno}"
            if action is None:
                continue
            if isinstance(action, ast.Constant):
                found[action.value] = where
            elif isinstance(action, ast.JoinedStr):
                prefix = action.values[0].value if isinstance(action.values[0], ast.Constant) else ""
                assert prefix in expansions and len(action.values) == 2, (
                    f"{where}: teach this test the values of {ast.unparse(action)}"
                )
                for value in expansions[prefix]:
                    found[prefix + value] = where
            elif isinstance(action, ast.Name):
                function = call
                while not isinstance(function, ast.FunctionDef):
                    function = parents[function]
                position = [arg.arg for arg in function.args.args].index(action.id)
                callers = [
                    node
                    for node in ast.walk(tree)
                    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == function.name
                ]
                assert callers, f"{where}: teach this test where {action.id} comes from"
                for caller in callers:
                    value = caller.args[position]
                    assert isinstance(value, ast.Constant), f"{where}: teach this test where {action.id} comes from"
                    found[value.value] = f"{path.relative_to(ROOT)}:{caller.lineno}"
            else:
                raise AssertionError(f"{where}: teach this test to read {ast.unparse(action)}")
    return found


def test_every_action_the_code_records_has_a_chinese_label():
    found = recorded_actions()
    assert {"case_submitted", "task_approve", "deadline_escalated", "document_issued"} <= set(found)
    missing = {code: where for code, where in found.items() if code not in ACTION_LABELS}
    assert not missing, f"add these to audit/actions.py ACTION_LABELS: {missing}"
    assert all(CJK.search(label) for label in ACTION_LABELS.values())


def test_labels_fall_back_to_the_code_and_name_every_role():
    assert action_label("something_new") == "something_new"
    assert role_labels("system") == "系统"
    assert role_labels("admin,auditor") == "系统管理员、审计员"
    assert role_labels("") == ""


def test_roles_are_listed_by_their_chinese_names_and_cannot_be_edited(demo):
    client = admin_client()
    text = visible_text(client.get("/admin/auth/group/").content.decode())
    for role in Role:
        assert str(role.label) in text
    assert "增加 角色" not in text
    group = Group.objects.get(name=Role.APPLICANT)
    assert client.get(f"/admin/auth/group/{group.pk}/delete/").status_code == 403
    assert client.post("/admin/auth/group/add/", {"name": "new-role"}).status_code == 403
    assert not Group.objects.filter(name="new-role").exists()


def test_user_form_offers_roles_by_name_and_saves_them(demo, users):
    client = admin_client()
    user = users("twp-anwen")
    page = client.get(f"/admin/permissions/user/{user.pk}/change/").content.decode()
    assert "角色" in page and "乡镇（街道）审核员" in page and 'type="checkbox" name="groups"' in page
    groups = {g.name: g.pk for g in Group.objects.all()}
    joined = timezone.localtime(user.date_joined)
    response = client.post(
        f"/admin/permissions/user/{user.pk}/change/",
        {
            "username": user.username,
            "display_name": user.display_name,
            "email": "",
            "groups": [groups[Role.TOWNSHIP_REVIEWER], groups[Role.UNIT_HEAD]],
            "township": user.township_id,
            "institution": "",
            "department": "",
            "is_active": "on",
            "date_joined_0": joined.strftime("%Y-%m-%d"),
            "date_joined_1": joined.strftime("%H:%M:%S"),
            "last_login_0": "",
            "last_login_1": "",
        },
    )
    assert response.status_code == 302, visible_text(response.content.decode())[:2000]
    user = type(user).objects.get(pk=user.pk)
    assert user.roles == {Role.TOWNSHIP_REVIEWER, Role.UNIT_HEAD}
    # The list filters by role, named in Chinese.
    listing = client.get(f"/admin/permissions/user/?role={Role.UNIT_HEAD}").content.decode()
    assert "twp-anwen" in listing and "科室负责人" in visible_text(listing)


def test_locked_out_user_is_unlocked_from_the_admin(demo):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post("/accounts/login/", {"username": "civil-1", "password": "wrong-password-1"})
    locked = Client().post("/accounts/login/", {"username": "civil-1", "password": settings.DEMO_PASSWORD})
    assert locked.status_code != 302, "civil-1 should be locked out"
    client = admin_client()
    text = visible_text(client.get("/admin/axes/accessattempt/").content.decode())
    assert "civil-1" in text and "已锁定" in text
    attempt = AccessAttempt.objects.get(username="civil-1")
    response = client.post(
        "/admin/axes/accessattempt/", {"action": "unlock", "_selected_action": [attempt.pk]}, follow=True
    )
    assert "相关账号可以重新登录" in visible_text(response.content.decode())
    assert not AccessAttempt.objects.filter(username="civil-1").exists()
    assert (
        Client().post("/accounts/login/", {"username": "civil-1", "password": settings.DEMO_PASSWORD}).status_code
        == 302
    )


def test_chinese_names_make_no_migration_in_third_party_apps(db):
    """The admin renames third-party models at run time; makemigrations must not see it."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
