//! `/admin/categories` and `/admin/tags`: create, rename and delete terms.

use crate::{
    api::taxonomy::{list_categories, list_tags, CreateCategory, CreateTag, UpdateCategory, UpdateTag},
    components::{AskFirst, FieldMessage, Forbidden},
    domain::Term,
    error::AppError,
    pages::ActorResource,
    policy::{allows, Capability},
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;

/// `/admin/categories`. Admins only.
#[component]
pub fn CategoriesPage() -> impl IntoView {
    let create = ServerAction::<CreateCategory>::new();
    let update = ServerAction::<UpdateCategory>::new();
    let terms = Resource::new(|| (), |_| list_categories());
    let rows = move |list: Vec<Term>| {
        list.into_iter()
            .map(|t| {
                let rename = t.clone();
                let save =
                    view! { <ActionForm action=update attr:class="inline"><RenameFields term=rename/></ActionForm> };
                view! { <TermRow term=t save delete_path="/admin/api/categories/delete"
                question="Delete this category? Its posts keep existing, without a category."/> }
            })
            .collect_view()
    };
    let error = Signal::derive(move || first_error(&[create.value().get(), update.value().get()]));
    view! {
        <Title text="Categories"/>
        <TermsLayout title="Categories" noun="category" terms rows>
            <ActionForm action=create attr:class="inline"><NewTermFields noun="category" error/></ActionForm>
        </TermsLayout>
    }
}

/// `/admin/tags`. Admins only.
#[component]
pub fn TagsPage() -> impl IntoView {
    let create = ServerAction::<CreateTag>::new();
    let update = ServerAction::<UpdateTag>::new();
    let terms = Resource::new(|| (), |_| list_tags());
    let rows = move |list: Vec<Term>| {
        list.into_iter()
            .map(|t| {
                let rename = t.clone();
                let save =
                    view! { <ActionForm action=update attr:class="inline"><RenameFields term=rename/></ActionForm> };
                view! { <TermRow term=t save delete_path="/admin/api/tags/delete" question="Delete this tag? Posts lose it."/> }
            })
            .collect_view()
    };
    let error = Signal::derive(move || first_error(&[create.value().get(), update.value().get()]));
    view! {
        <Title text="Tags"/>
        <TermsLayout title="Tags" noun="tag" terms rows>
            <ActionForm action=create attr:class="inline"><NewTermFields noun="tag" error/></ActionForm>
        </TermsLayout>
    }
}

/// The field errors of the create or a rename form (the layout shows any other error).
fn first_error(saves: &[Option<Result<i64, AppError>>]) -> Option<AppError> {
    saves.iter().flatten().find_map(|r| r.clone().err())
}

/// The page around a term list: the 403 page for non-admins, the create form, the table.
#[component]
fn TermsLayout<R, V>(
    title: &'static str,
    noun: &'static str,
    terms: Resource<Result<Vec<Term>, AppError>>,
    rows: R,
    children: ChildrenFn,
) -> impl IntoView
where
    R: Fn(Vec<Term>) -> V + Copy + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let me = expect_context::<ActorResource>();
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let admin = me.await.map(|a| allows(a.role, Capability::ManageTaxonomy)).unwrap_or(false);
                if !admin {
                    return Either::Left(view! { <Forbidden/> });
                }
                let list = terms.await.unwrap_or_default();
                let empty = list.is_empty();
                Either::Right(view! {
                    <h1>{title}</h1>
                    <section class="card">
                        <h2>{format!("Add a {noun}")}</h2>
                        {children.with_value(|c| c())}
                    </section>
                    <Show when=move || empty><p class="empty">{format!("No {noun} yet.")}</p></Show>
                    <table class="data">
                        <caption class="visually-hidden">{title}</caption>
                        <thead><tr><th scope="col">"Name and slug"</th><th scope="col">"Posts"</th><th scope="col">"Delete"</th></tr></thead>
                        <tbody>{rows(list)}</tbody>
                    </table>
                })
            })}
        </Suspense>
    }
}

#[component]
fn NewTermFields(noun: &'static str, error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <label for="new-name">"Name"</label>
        <input id="new-name" name="name" required maxlength="60"/>
        <FieldMessage error field="name"/>
        <label for="new-slug">"Slug (optional)"</label>
        <input id="new-slug" name="slug" maxlength="120"/>
        <FieldMessage error field="slug"/>
        <button type="submit">{format!("Add {noun}")}</button>
    }
}

#[component]
fn RenameFields(term: Term) -> impl IntoView {
    let (name_id, slug_id) = (format!("name-{}", term.id), format!("slug-{}", term.id));
    view! {
        <input type="hidden" name="id" value=term.id/>
        <label class="visually-hidden" for=name_id.clone()>{format!("Name of {}", term.name)}</label>
        <input id=name_id name="name" value=term.name.clone() required maxlength="60"/>
        <label class="visually-hidden" for=slug_id.clone()>{format!("Slug of {}", term.name)}</label>
        <input id=slug_id name="slug" value=term.slug.clone() maxlength="120"/>
        <button type="submit" class="secondary">"Save"</button>
    }
}

#[component]
fn TermRow<S>(term: Term, save: S, delete_path: &'static str, question: &'static str) -> impl IntoView
where
    S: IntoView + 'static,
{
    view! {
        <tr>
            <td>{save}</td>
            <td>{term.posts}</td>
            <td>
                <AskFirst question=question.to_owned()>
                    <form method="post" action=delete_path>
                        <input type="hidden" name="id" value=term.id/>
                        <button type="submit" class="danger" aria-label=format!("Delete {}", term.name)>"Delete"</button>
                    </form>
                </AskFirst>
            </td>
        </tr>
    }
}
