"""The workstation shell driven by keys: sign-in, home, palette, records, help."""

from __future__ import annotations

from sqlalchemy import select
from textual.widgets import Input, Static

from dealer_tui.accounts.models import Account
from dealer_tui.core.db import Database
from dealer_tui.ui.app import DealerApp
from dealer_tui.ui.screens.customer import CustomerScreen
from dealer_tui.ui.screens.help import HelpScreen
from dealer_tui.ui.screens.home import HomeScreen
from dealer_tui.ui.screens.lists import CustomerListScreen
from dealer_tui.ui.screens.signin import SignInScreen
from dealer_tui.ui.screens.vehicle import VehicleScreen
from dealer_tui.vehicles.models import Vehicle
from tests.ui.conftest import FROZEN, settle, signed_in_app


def _owned_vehicle(db: Database) -> tuple[str, str]:
    with db.read() as session:
        vin, owner = session.execute(
            select(Vehicle.vin, Account.name)
            .join(Account, Account.id == Vehicle.owner_id)
            .order_by(Vehicle.id)
            .limit(1)
        ).one()
    return vin, owner


async def test_sign_in_refuses_a_wrong_password_then_opens_home(
    demo_db: Database,
) -> None:
    """A wrong password is told in words; the right one opens the counter's today."""
    app = DealerApp(demo_db, frozen_clock=FROZEN)
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, SignInScreen)
        await pilot.press(*"chris.counter", "enter", *"wrong", "enter")
        await settle(pilot)
        message = app.screen.query_one("#signin-message", Static)
        assert "do not match" in str(message.render())
        await pilot.press(*"counter-demo", "enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.actor is not None and app.actor.username == "chris.counter"


async def test_palette_finds_a_vin_and_opens_its_owner(demo_db: Database) -> None:
    """Ctrl+P, the last six of a VIN, Enter opens the truck; o opens its owner."""
    vin, owner = _owned_vehicle(demo_db)
    app = signed_in_app(demo_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*vin[-6:])
        await pilot.pause(0.5)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, VehicleScreen)
        assert app.screen.vehicle is not None and app.screen.vehicle.vin == vin
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert app.screen.account is not None and app.screen.account.name == owner
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, HomeScreen)


async def test_customer_list_filters_as_the_user_types(demo_db: Database) -> None:
    """c opens customers; 'coastal' narrows to Coastal Freight Lines; Enter opens it."""
    app = signed_in_app(demo_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CustomerListScreen)
        await pilot.press(*"coastal")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert app.screen.account is not None
        assert app.screen.account.name == "Coastal Freight Lines Pty Ltd"


async def test_help_lists_the_keys_of_the_screen_in_front(demo_db: Database) -> None:
    """F1 on a customer lists Edit details and Reload; ? works the same."""
    app = signed_in_app(demo_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_record("customer", 1)
        await settle(pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        described = [does for _, does in app.screen.rows]
        assert "Edit details" in described and "Reload" in described
        assert "Credit" not in described
        await pilot.press("escape")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)


async def test_counter_staff_do_not_see_the_credit_key(demo_db: Database) -> None:
    """The credit key is hidden from counter staff, shown to a sales administrator."""
    for username, allowed in (("chris.counter", False), ("jo.admin", True)):
        app = signed_in_app(demo_db, username)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            app.open_record("customer", 1)
            await settle(pilot)
            keys = {
                b.binding.action
                for b in app.screen.active_bindings.values()
                if app.screen.check_action(b.binding.action, ())
            }
            assert ("credit" in keys) is allowed


async def test_a_bad_abn_is_marked_at_its_field(demo_db: Database) -> None:
    """Editing a customer with a wrong ABN marks the ABN field and saves nothing."""
    app = signed_in_app(demo_db)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        app.open_record("customer", 1)
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        abn = app.screen.query_one("#f-tax_id", Input)
        abn.value = "11 111 111 111"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert abn.has_class("-invalid")
        problem = app.screen.query_one("#p-tax_id", Static)
        assert "not a valid ABN" in str(problem.render())


async def test_text_with_square_brackets_is_shown_as_typed(demo_db: Database) -> None:
    """A name like '[/] Co' is shown as typed, in the screen and the palette."""
    from dealer_tui.accounts.services import AccountForm, account_view, update_account
    from dealer_tui.core.services import batch_actor

    admin = batch_actor(demo_db, "jo.admin")
    view = account_view(demo_db, admin, 1)
    form = AccountForm(
        name="[/] Co [b]Bold",
        tax_id=view.tax_id,
        phone="[red]0400 000 000",
        email="",
        street="",
        suburb="",
        state="",
        postcode="",
    )
    update_account(demo_db, admin, view.id, view.version, form)
    app = signed_in_app(demo_db, "jo.admin")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_record("customer", 1)
        await settle(pilot)
        head = app.screen.query_one("#customer-head", Static)
        assert "[/] Co [b]Bold" in str(head.render())
        await pilot.press("ctrl+p", *"C000101")
        await pilot.pause(0.5)
        await settle(pilot)
        await pilot.press("escape", "escape")


async def test_signing_out_from_a_list_returns_to_sign_in(demo_db: Database) -> None:
    """Sign out from the vehicle list goes back to sign-in with no error dialog."""
    app = signed_in_app(demo_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        app.action_sign_out()
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert app.actor is None


async def test_typing_in_the_list_goes_on_filtering(demo_db: Database) -> None:
    """With the cursor in the list, typed letters land in the filter box."""
    app = signed_in_app(demo_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press(*"coa", "enter")
        await settle(pilot)
        await pilot.press(*"st")
        await settle(pilot)
        assert app.screen.query_one("#list-filter", Input).value == "coast"
