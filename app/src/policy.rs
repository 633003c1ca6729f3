//! The one place that decides who may do what. Pure, no I/O: the server asks it before every
//! query, the WebAssembly client asks the same functions to decide which controls to show.
//!
//! Every (role, action) pair is matched explicitly, so adding an action does not compile until
//! someone decides each role's answer. Anything not granted here is refused.

use crate::{
    domain::{Actor, PostStatus, Role, TokenScope, UserId},
    error::AppError,
};

/// Dashboard capabilities that do not depend on who owns a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Capability {
    /// See the dashboard, edit one's own profile and change one's own password.
    UseDashboard,
    CreatePost,
    ModerateComments,
    /// Put existing categories and tags on a post.
    AssignTaxonomy,
    /// Create, rename and delete categories and tags.
    ManageTaxonomy,
    ManageUsers,
    ManageApiTokens,
    ManageSettings,
    ReadAuditLog,
}

impl Capability {
    pub const ALL: [Capability; 9] = [
        Capability::UseDashboard,
        Capability::CreatePost,
        Capability::AssignTaxonomy,
        Capability::ModerateComments,
        Capability::ManageTaxonomy,
        Capability::ManageUsers,
        Capability::ManageApiTokens,
        Capability::ManageSettings,
        Capability::ReadAuditLog,
    ];

    /// What the capability means, for people.
    pub fn describe(self) -> &'static str {
        match self {
            Capability::UseDashboard => "Use the dashboard and change your own password",
            Capability::CreatePost => "Write drafts and submit them for review",
            Capability::AssignTaxonomy => "Put existing categories and tags on posts",
            Capability::ModerateComments => "Moderate comments",
            Capability::ManageTaxonomy => "Manage categories and tags",
            Capability::ManageUsers => "Manage staff accounts",
            Capability::ManageApiTokens => "Manage API tokens",
            Capability::ManageSettings => "Change site and SEO settings",
            Capability::ReadAuditLog => "Read the audit log",
        }
    }
}

/// Whether `role` holds `capability`.
pub fn allows(role: Role, capability: Capability) -> bool {
    use Capability::*;
    use Role::*;
    match (role, capability) {
        (Author | Editor | Admin, UseDashboard | CreatePost | AssignTaxonomy) => true,
        (Author, ModerateComments) => false,
        (Editor | Admin, ModerateComments) => true,
        (Author | Editor, ManageTaxonomy | ManageUsers | ManageApiTokens | ManageSettings | ReadAuditLog) => false,
        (Admin, ManageTaxonomy | ManageUsers | ManageApiTokens | ManageSettings | ReadAuditLog) => true,
    }
}

/// Whether the site setting "require two-factor sign-in" applies to `role`: editors and admins,
/// who can publish and change what others wrote.
pub fn second_factor_may_be_required(role: Role) -> bool {
    match role {
        Role::Author => false,
        Role::Editor | Role::Admin => true,
    }
}

/// `Ok` when the actor holds the capability, `Forbidden` otherwise.
pub fn require(actor: &Actor, capability: Capability) -> Result<(), AppError> {
    if allows(actor.role, capability) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Which records a query may touch. The query must put this into its `WHERE` clause.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    OwnedBy(UserId),
}

/// Actions on posts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PostAction {
    View,
    Edit,
    Submit,
    Withdraw,
    Publish,
    Unpublish,
    Schedule,
    Delete,
}

/// Which posts the actor may apply `action` to, or `Forbidden` when none.
pub fn post_scope(actor: &Actor, action: PostAction) -> Result<Scope, AppError> {
    use PostAction::*;
    match (actor.role, action) {
        (Role::Author, View | Edit | Submit | Withdraw | Delete) => Ok(Scope::OwnedBy(actor.id)),
        (Role::Author, Publish | Unpublish | Schedule) => Err(AppError::Forbidden),
        (Role::Editor | Role::Admin, View | Edit | Submit | Withdraw | Delete) => Ok(Scope::All),
        (Role::Editor | Role::Admin, Publish | Unpublish | Schedule) => Ok(Scope::All),
    }
}

/// Whether a post's current status lets `role` apply `action` to a post already in its scope:
/// authors edit their posts only while draft or in review, and delete only their drafts.
pub fn post_status_allows(role: Role, action: PostAction, status: PostStatus) -> bool {
    use PostAction::*;
    match (role, action) {
        (Role::Author, Edit) => matches!(status, PostStatus::Draft | PostStatus::Review),
        (Role::Author, Delete) => status == PostStatus::Draft,
        (Role::Author, View | Submit | Withdraw) => true,
        (Role::Author, Publish | Unpublish | Schedule) => false,
        (Role::Editor | Role::Admin, View | Edit | Delete) => true,
        (Role::Editor | Role::Admin, Submit | Withdraw | Publish | Unpublish | Schedule) => true,
    }
}

/// The statuses in which `role` may apply `action` to a post in its scope (for bulk queries).
pub fn post_statuses_allowing(role: Role, action: PostAction) -> Vec<PostStatus> {
    PostStatus::ALL.into_iter().filter(|s| post_status_allows(role, action, *s)).collect()
}

/// What the policy needs to know about one post to decide on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PostFacts {
    pub author: UserId,
    pub status: PostStatus,
}

/// The one decision on an action against one post, in the order the caller must see it:
/// `Forbidden` when the role may never do it, `NotFound` when the post is missing or outside
/// what the actor may see (the two look the same), `Forbidden` when its status does not allow
/// it. `Ok` carries the scope the changing query must still put into its `WHERE` clause.
pub fn post_access(actor: &Actor, action: PostAction, post: Option<PostFacts>) -> Result<Scope, AppError> {
    let scope = post_scope(actor, action)?;
    let visible = match (post, post_scope(actor, PostAction::View)?) {
        (Some(post), Scope::All) => Some(post),
        (Some(post), Scope::OwnedBy(owner)) if post.author == owner => Some(post),
        (Some(_) | None, _) => None,
    };
    let post = visible.ok_or(AppError::NotFound)?;
    if post_status_allows(actor.role, action, post.status) {
        Ok(scope)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Whether a publication schedule survives `action` by `role`. A schedule stands for "an
/// editor reviewed this text": an author's edit or restore, and any withdrawal to draft,
/// cancel it, so that nothing unreviewed goes live under the scheduler's name.
pub fn keeps_schedule(role: Role, action: PostAction) -> bool {
    use PostAction::*;
    match (role, action) {
        (Role::Author, Edit | Withdraw) => false,
        (Role::Author, View | Submit | Delete | Publish | Unpublish | Schedule) => true,
        (Role::Editor | Role::Admin, Withdraw) => false,
        (Role::Editor | Role::Admin, View | Edit | Submit | Delete | Publish | Unpublish | Schedule) => true,
    }
}

/// The guard rails on changing a user's role: nobody changes their own role, and the last
/// active admin cannot be demoted. `active_admins` counts active admins, the target included.
pub fn check_role_change(
    actor: Option<UserId>,
    target: UserId,
    current: Role,
    new: Role,
    target_active: bool,
    active_admins: i64,
) -> Result<(), AppError> {
    if actor == Some(target) {
        return Err(AppError::NotAllowed("You cannot change your own role. Another admin can.".into()));
    }
    if current == Role::Admin && new != Role::Admin && target_active && active_admins <= 1 {
        return Err(AppError::Conflict("The last active admin cannot be demoted.".into()));
    }
    Ok(())
}

/// Whether the account controls (role, deactivate) apply to `target` for `actor`: the policy
/// refuses changes to oneself, so the UI shows none on one's own row.
pub fn may_change_account(actor: &Actor, target: UserId) -> bool {
    allows(actor.role, Capability::ManageUsers) && actor.id != target
}

/// The guard rails on deactivating a user: not oneself, and never the last active admin.
pub fn check_deactivation(
    actor: Option<UserId>,
    target: UserId,
    role: Role,
    target_active: bool,
    active_admins: i64,
) -> Result<(), AppError> {
    if actor == Some(target) {
        return Err(AppError::NotAllowed("You cannot deactivate your own account. Another admin can.".into()));
    }
    if role == Role::Admin && target_active && active_admins <= 1 {
        return Err(AppError::Conflict("The last active admin cannot be deactivated.".into()));
    }
    Ok(())
}

/// The guard rail on reactivating a user: not oneself (a deactivated admin cannot be signed in
/// anyway; this keeps the rule the same as for deactivation).
pub fn check_reactivation(actor: Option<UserId>, target: UserId) -> Result<(), AppError> {
    if actor == Some(target) {
        return Err(AppError::NotAllowed("You cannot change your own account's status.".into()));
    }
    Ok(())
}

/// The guard rail on resetting a password: not one's own (the profile page changes it, which
/// needs the current password and keeps the session).
pub fn check_password_reset(actor: Option<UserId>, target: UserId) -> Result<(), AppError> {
    if actor == Some(target) {
        return Err(AppError::NotAllowed("Change your own password on your profile page.".into()));
    }
    Ok(())
}

/// Whether a token with `scopes` may act for `owner` (as they are now) where `needed` is
/// required: the scope must be granted, and the owner's role must still allow what it opens (a
/// demoted owner's token loses what the role lost). Record ownership is then checked by the
/// same code as for the dashboard.
pub fn token_allows(scopes: &[TokenScope], owner: &Actor, needed: TokenScope) -> Result<(), AppError> {
    if !scopes.contains(&needed) {
        return Err(AppError::Forbidden);
    }
    match needed {
        TokenScope::PostsRead => post_scope(owner, PostAction::View).map(drop),
        TokenScope::PostsWrite => require(owner, Capability::CreatePost),
        TokenScope::PostsPublish => post_scope(owner, PostAction::Publish).map(drop),
        TokenScope::CommentsModerate => require(owner, Capability::ModerateComments),
    }
}

/// One entry of the dashboard navigation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
    pub needs: Capability,
}

/// Dashboard sections, each with the capability it needs.
pub const SECTIONS: &[NavItem] = &[
    NavItem { label: "Overview", href: "/admin", needs: Capability::UseDashboard },
    NavItem { label: "Posts", href: "/admin/posts", needs: Capability::CreatePost },
    NavItem { label: "Comments", href: "/admin/comments", needs: Capability::ModerateComments },
    NavItem { label: "Categories", href: "/admin/categories", needs: Capability::ManageTaxonomy },
    NavItem { label: "Tags", href: "/admin/tags", needs: Capability::ManageTaxonomy },
    NavItem { label: "Users", href: "/admin/users", needs: Capability::ManageUsers },
    NavItem { label: "API tokens", href: "/admin/tokens", needs: Capability::ManageApiTokens },
    NavItem { label: "Audit log", href: "/admin/audit", needs: Capability::ReadAuditLog },
    NavItem { label: "Settings", href: "/admin/settings", needs: Capability::ManageSettings },
];

/// The navigation `role` sees.
pub fn nav_items(role: Role) -> Vec<NavItem> {
    SECTIONS.iter().copied().filter(|item| allows(role, item.needs)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Capability::*;

    fn actor(role: Role) -> Actor {
        Actor { id: UserId(7), username: "someone".into(), role }
    }

    #[test]
    fn every_role_may_use_the_dashboard_and_change_own_password() {
        assert!(Role::ALL.iter().all(|r| allows(*r, UseDashboard)));
    }

    #[test]
    fn every_role_may_create_a_draft() {
        assert!(Role::ALL.iter().all(|r| allows(*r, CreatePost)));
    }

    #[test]
    fn every_role_may_assign_existing_categories_and_tags() {
        assert!(Role::ALL.iter().all(|r| allows(*r, AssignTaxonomy)));
    }

    #[test]
    fn author_cannot_moderate_comments() {
        assert!(!allows(Role::Author, ModerateComments));
    }

    #[test]
    fn editor_and_admin_moderate_comments() {
        assert!(allows(Role::Editor, ModerateComments) && allows(Role::Admin, ModerateComments));
    }

    #[test]
    fn only_admin_manages_categories_and_tags() {
        assert_eq!(Role::ALL.map(|r| allows(r, ManageTaxonomy)), [false, false, true]);
    }

    #[test]
    fn only_admin_manages_users() {
        assert_eq!(Role::ALL.map(|r| allows(r, ManageUsers)), [false, false, true]);
    }

    #[test]
    fn only_admin_manages_api_tokens() {
        assert_eq!(Role::ALL.map(|r| allows(r, ManageApiTokens)), [false, false, true]);
    }

    #[test]
    fn only_admin_changes_site_settings() {
        assert_eq!(Role::ALL.map(|r| allows(r, ManageSettings)), [false, false, true]);
    }

    #[test]
    fn only_admin_reads_the_audit_log() {
        assert_eq!(Role::ALL.map(|r| allows(r, ReadAuditLog)), [false, false, true]);
    }

    #[test]
    fn require_refuses_with_forbidden() {
        assert_eq!(require(&actor(Role::Editor), ManageUsers), Err(AppError::Forbidden));
        assert_eq!(require(&actor(Role::Admin), ManageUsers), Ok(()));
    }

    #[test]
    fn author_sees_and_edits_only_own_posts() {
        let a = actor(Role::Author);
        for action in [PostAction::View, PostAction::Edit, PostAction::Submit, PostAction::Withdraw, PostAction::Delete]
        {
            assert_eq!(post_scope(&a, action), Ok(Scope::OwnedBy(UserId(7))), "{action:?}");
        }
    }

    #[test]
    fn author_cannot_publish_unpublish_or_schedule() {
        let a = actor(Role::Author);
        for action in [PostAction::Publish, PostAction::Unpublish, PostAction::Schedule] {
            assert_eq!(post_scope(&a, action), Err(AppError::Forbidden), "{action:?}");
        }
    }

    #[test]
    fn editor_and_admin_act_on_all_posts() {
        for role in [Role::Editor, Role::Admin] {
            for action in [
                PostAction::View,
                PostAction::Edit,
                PostAction::Publish,
                PostAction::Unpublish,
                PostAction::Schedule,
                PostAction::Delete,
            ] {
                assert_eq!(post_scope(&actor(role), action), Ok(Scope::All));
            }
        }
    }

    #[test]
    fn author_edits_own_post_only_while_draft_or_in_review() {
        assert!(post_status_allows(Role::Author, PostAction::Edit, PostStatus::Draft));
        assert!(post_status_allows(Role::Author, PostAction::Edit, PostStatus::Review));
        assert!(!post_status_allows(Role::Author, PostAction::Edit, PostStatus::Published));
    }

    #[test]
    fn author_deletes_only_own_drafts() {
        assert!(post_status_allows(Role::Author, PostAction::Delete, PostStatus::Draft));
        assert!(!post_status_allows(Role::Author, PostAction::Delete, PostStatus::Review));
        assert!(!post_status_allows(Role::Author, PostAction::Delete, PostStatus::Published));
    }

    #[test]
    fn editor_edits_and_deletes_posts_in_any_status() {
        for status in [PostStatus::Draft, PostStatus::Review, PostStatus::Published] {
            assert!(post_status_allows(Role::Editor, PostAction::Edit, status));
            assert!(post_status_allows(Role::Editor, PostAction::Delete, status));
        }
    }

    #[test]
    fn bulk_deletes_by_an_author_reach_only_drafts() {
        assert_eq!(post_statuses_allowing(Role::Author, PostAction::Delete), [PostStatus::Draft]);
        assert_eq!(post_statuses_allowing(Role::Editor, PostAction::Delete), PostStatus::ALL);
    }

    #[test]
    fn a_foreign_post_is_not_found_for_an_author_and_a_missing_one_alike() {
        let a = actor(Role::Author);
        let foreign = PostFacts { author: UserId(8), status: PostStatus::Draft };
        assert_eq!(post_access(&a, PostAction::Edit, Some(foreign)), Err(AppError::NotFound));
        assert_eq!(post_access(&a, PostAction::Edit, None), Err(AppError::NotFound));
    }

    #[test]
    fn an_author_asking_for_an_editor_action_is_forbidden_before_any_lookup() {
        let a = actor(Role::Author);
        assert_eq!(post_access(&a, PostAction::Publish, None), Err(AppError::Forbidden));
    }

    #[test]
    fn an_author_may_edit_own_post_in_review_but_not_once_published() {
        let a = actor(Role::Author);
        let mine = |status| Some(PostFacts { author: UserId(7), status });
        assert_eq!(post_access(&a, PostAction::Edit, mine(PostStatus::Review)), Ok(Scope::OwnedBy(UserId(7))));
        assert_eq!(post_access(&a, PostAction::Edit, mine(PostStatus::Published)), Err(AppError::Forbidden));
    }

    #[test]
    fn an_editor_reaches_any_post_that_exists() {
        let e = actor(Role::Editor);
        let any = Some(PostFacts { author: UserId(99), status: PostStatus::Published });
        assert_eq!(post_access(&e, PostAction::Delete, any), Ok(Scope::All));
        assert_eq!(post_access(&e, PostAction::Delete, None), Err(AppError::NotFound));
    }

    #[test]
    fn an_authors_edit_or_withdrawal_cancels_a_schedule() {
        assert!(!keeps_schedule(Role::Author, PostAction::Edit));
        assert!(!keeps_schedule(Role::Author, PostAction::Withdraw));
        assert!(keeps_schedule(Role::Author, PostAction::Submit));
    }

    #[test]
    fn an_editors_edit_keeps_the_schedule_but_a_withdrawal_cancels_it() {
        for role in [Role::Editor, Role::Admin] {
            assert!(keeps_schedule(role, PostAction::Edit));
            assert!(!keeps_schedule(role, PostAction::Withdraw));
        }
    }

    #[test]
    fn nobody_changes_their_own_role() {
        let me = UserId(1);
        assert!(check_role_change(Some(me), me, Role::Admin, Role::Editor, true, 5).is_err());
    }

    #[test]
    fn the_last_active_admin_cannot_be_demoted() {
        assert!(check_role_change(Some(UserId(1)), UserId(2), Role::Admin, Role::Editor, true, 1).is_err());
        assert!(check_role_change(Some(UserId(1)), UserId(2), Role::Admin, Role::Editor, true, 2).is_ok());
        assert!(check_role_change(None, UserId(2), Role::Admin, Role::Author, true, 1).is_err());
    }

    #[test]
    fn the_last_active_admin_cannot_be_deactivated() {
        assert!(check_deactivation(None, UserId(2), Role::Admin, true, 1).is_err());
        assert!(check_deactivation(None, UserId(2), Role::Admin, true, 2).is_ok());
        assert!(check_deactivation(None, UserId(2), Role::Editor, true, 1).is_ok());
    }

    #[test]
    fn nobody_deactivates_themselves() {
        assert!(check_deactivation(Some(UserId(3)), UserId(3), Role::Editor, true, 2).is_err());
    }

    #[test]
    fn author_and_editor_see_no_admin_links() {
        let labels = |role| nav_items(role).iter().map(|i| i.label).collect::<Vec<_>>();
        assert_eq!(labels(Role::Author), ["Overview", "Posts"]);
        assert_eq!(labels(Role::Editor), ["Overview", "Posts", "Comments"]);
    }

    #[test]
    fn admin_sees_users_audit_log_and_settings() {
        let labels: Vec<_> = nav_items(Role::Admin).iter().map(|i| i.label).collect();
        assert_eq!(
            labels,
            ["Overview", "Posts", "Comments", "Categories", "Tags", "Users", "API tokens", "Audit log", "Settings"]
        );
    }

    #[test]
    fn a_token_needs_its_scope_and_its_owners_role_now() {
        let editor = actor(Role::Editor);
        let publish = [TokenScope::PostsPublish];
        assert!(token_allows(&publish, &editor, TokenScope::PostsPublish).is_ok());
        assert!(token_allows(&publish, &editor, TokenScope::PostsRead).is_err(), "only its scopes");
        assert!(token_allows(&publish, &actor(Role::Author), TokenScope::PostsPublish).is_err(), "demoted owner");
        assert!(
            token_allows(&[TokenScope::CommentsModerate], &actor(Role::Author), TokenScope::CommentsModerate).is_err()
        );
    }

    #[test]
    fn nobody_resets_their_own_password_or_reactivates_themselves() {
        assert!(check_password_reset(Some(UserId(3)), UserId(3)).is_err());
        assert!(check_password_reset(None, UserId(3)).is_ok());
        assert!(check_reactivation(Some(UserId(3)), UserId(3)).is_err());
        assert!(check_reactivation(Some(UserId(2)), UserId(3)).is_ok());
    }
}
