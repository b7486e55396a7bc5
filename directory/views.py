from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from directory import services
from directory.forms import DeclineForm, InviteForm
from directory.models import Member
from portal.permissions import permission_required


@permission_required("directory.approve_member")
def pending_members(request):
    pending = Member.objects.pending().select_related("user").prefetch_related("organisations").order_by("joined_at")
    return render(request, "directory/pending.html", {"pending": pending, "decline_form": DeclineForm(),
                                                      "breadcrumbs": [{"title": "Home", "url": "/"}, {"title": "Directory", "url": "/directory/"}]})


@require_POST
@permission_required("directory.approve_member")
def approve_member(request, pk: int):
    member = get_object_or_404(Member, pk=pk)
    try:
        services.approve_member(member, by=request.user)
    except services.DirectoryError as refusal:
        messages.error(request, refusal.user_message)
    else:
        messages.success(request, f"{member.display_name} is approved and has been sent an e-mail.")
    return redirect("directory:pending")


@require_POST
@permission_required("directory.approve_member")
def decline_member(request, pk: int):
    member = get_object_or_404(Member, pk=pk)
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.decline_member(member, by=request.user, reason=reason)
    except services.DirectoryError as refusal:
        messages.error(request, refusal.user_message)
    else:
        messages.success(request, f"{member.display_name} has been declined and told by e-mail.")
    return redirect("directory:pending")


@permission_required("directory.invite_member")
def invite(request):
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invite_member(form.cleaned_data["email"], by=request.user, organisation=form.cleaned_data["organisation"])
        except services.DirectoryError as refusal:
            form.add_error("email", refusal.user_message)
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("directory:invite")
    return render(request, "directory/invite.html", {"form": form,
                                                     "breadcrumbs": [{"title": "Home", "url": "/"}, {"title": "Directory", "url": "/directory/"}]})


def accept_invitation(request, token: str):
    """Remember the invitation in the session and send the visitor to sign up."""
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationInvalid as refusal:
        return render(request, "directory/invitation_invalid.html", {"message": refusal.user_message}, status=410)
    request.session["invitation_token"] = invitation.token
    messages.info(request, "Create your account with the address the invitation was sent to, and you will be approved at once.")
    return redirect(f"{reverse('account_signup')}?email={invitation.email}")
