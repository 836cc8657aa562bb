from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, Profile

User = get_user_model()


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fields = ["role", "programs", "regions", "all_regions", "language"]
    # Autocomplete, not a select of every region: GB/T 2260 has thousands.
    autocomplete_fields = ["programs", "regions"]
    verbose_name_plural = _("role and scope")
    min_num = 1
    max_num = 1


class ApiTokenInline(admin.TabularInline):
    model = ApiToken
    fk_name = "user"
    extra = 0
    fields = ["name", "hint", "created_at", "expires_at", "last_used_at", "revoked"]
    readonly_fields = ["name", "hint", "created_at", "last_used_at"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # issued from the API tokens page, where the token is shown once


class UserAdmin(DjangoUserAdmin):
    """Users with their role and scope. The role is the one switch for admin
    rights: role admin makes a superuser, any other role is not staff."""

    inlines = [ProfileInline, ApiTokenInline]
    list_display = ["username", "email", "first_name", "last_name", "role", "is_active", "last_login"]
    list_filter = ["profile__role", "is_active"]
    list_select_related = ["profile"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]

    @admin.display(description=_("role"), ordering="profile__role")
    def role(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.get_role_display() if profile else "—"

    def get_inlines(self, request, obj):
        return self.inlines if obj else []


admin.site.unregister(User)
admin.site.register(User, UserAdmin)


class ApiTokenAddForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name", "expires_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Issue tokens here; the token is shown once, right after it is created."""

    list_display = ["name", "user", "hint", "created_at", "created_by", "expires_at", "last_used_at", "revoked"]
    list_filter = ["revoked"]
    search_fields = ["name", "user__username", "hint"]
    list_select_related = ["user", "created_by"]
    autocomplete_fields = ["user"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "expires_at"]
        return ["user", "name", "hint", "created_at", "created_by", "expires_at", "last_used_at", "revoked"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["user", "name", "hint", "created_at", "created_by", "last_used_at"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        obj.created_by = request.user
        clear = obj.set_new_key()
        obj.save()
        messages.warning(
            request,
            _("The token for %(user)s is %(token)s — copy it now: it is stored only as a hash "
              "and will not be shown again. Send it as 'Authorization: Bearer <token>'.")
            % {"user": obj.user, "token": clear},
        )
