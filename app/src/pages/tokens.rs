//! `/admin/tokens`: API tokens for automation. Admins create, revoke and rotate them; a secret is
//! shown once.

use crate::{
    api::tokens::{list_tokens, CreateToken, RevokeToken, RotateToken},
    components::{confirmed, ErrorNotice, FieldMessage, OneTimeSecret},
    domain::{IssuedToken, TokenScope, TokenSummary},
    error::AppError,
};
use leptos::{
    either::{Either, EitherOf3},
    prelude::*,
};
use leptos_meta::Title;

/// `/admin/tokens`. Admins only; others get the 403 page.
#[component]
pub fn TokensPage() -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let rotate = ServerAction::<RotateToken>::new();
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get(), rotate.version().get()),
        |_| list_tokens(),
    );
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let outcome = move || {
        let latest = [(create.version().get(), 0), (revoke.version().get(), 1), (rotate.version().get(), 2)];
        let (_, which) = latest.into_iter().filter(|(v, _)| *v > 0).max_by_key(|(v, _)| *v)?;
        Some(match which {
            0 => match create.value().get()? {
                Ok(issued) => EitherOf3::A(view! { <SecretNotice issued what="Token created"/> }),
                Err(AppError::Invalid(_)) => return None,
                Err(error) => EitherOf3::C(view! { <ErrorNotice error/> }),
            },
            1 => match revoke.value().get()? {
                Ok(t) => EitherOf3::B(view! {
                    <p class="toast" role="status">{format!("Revoked {} ({}); it no longer works.", t.name, t.prefix)}</p>
                }),
                Err(error) => EitherOf3::C(view! { <ErrorNotice error/> }),
            },
            _ => match rotate.value().get()? {
                Ok(issued) => {
                    EitherOf3::A(view! { <SecretNotice issued what="New secret issued; the old one no longer works"/> })
                }
                Err(error) => EitherOf3::C(view! { <ErrorNotice error/> }),
            },
        })
    };
    let scopes = TokenScope::ALL
        .into_iter()
        .map(|s| {
            let (id, label_for) =
                (format!("scope-{}", s.as_str().replace(':', "-")), format!("scope-{}", s.as_str().replace(':', "-")));
            view! {
                <label class="checkbox" for=label_for>
                    <input type="checkbox" id=id name="scopes[]" value=s.as_str()/>
                    {format!(" {} ({})", s.as_str(), s.describe())}
                </label>
            }
        })
        .collect_view();
    view! {
        <Title text="API tokens"/>
        <h1>"API tokens"</h1>
        <p class="hint">"A token lets a script use the REST API under " <code>"/api/v1/"</code>
            " as you, within its scopes and your role. It never opens the dashboard."</p>
        {outcome}
        <details class="invite" open=move || error.get().is_some()>
            <summary>"Create a token"</summary>
            <ActionForm action=create attr:class="fields">
                <label for="token-name">"Name"</label>
                <input id="token-name" name="name" required maxlength="80" placeholder="e.g. CI publisher"/>
                <FieldMessage error field="name"/>
                <fieldset>
                    <legend>"Scopes"</legend>
                    {scopes}
                </fieldset>
                <FieldMessage error field="scopes"/>
                <label for="token-expires">"Expires after (days, empty for never)"</label>
                <input id="token-expires" name="expires_in" inputmode="numeric" maxlength="4"/>
                <FieldMessage error field="expires_in"/>
                <button type="submit" disabled=move || create.pending().get()>"Create token"</button>
            </ActionForm>
        </details>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match tokens.await {
                    Ok(rows) => Either::Left(view! { <TokenTable rows revoke rotate/> }),
                    Err(error) => Either::Right(view! { <ErrorNotice error/> }),
                }
            })}
        </Suspense>
    }
}

/// A secret just issued, with a copy button and the warning that it is shown once.
#[component]
fn SecretNotice(issued: IssuedToken, what: &'static str) -> impl IntoView {
    let t = &issued.token;
    let message = format!("{what}: {} ({}). Copy the secret now: it is not shown again.", t.name, t.prefix);
    view! { <OneTimeSecret message value=issued.secret id="token-secret" label="Token secret"/> }
}

#[component]
fn TokenTable(
    rows: Vec<TokenSummary>,
    revoke: ServerAction<RevokeToken>,
    rotate: ServerAction<RotateToken>,
) -> impl IntoView {
    if rows.is_empty() {
        return Either::Left(view! { <p class="empty">"No tokens yet."</p> });
    }
    let day = |t: &crate::domain::Timestamp| t.get(..16).unwrap_or(t).replace('T', " ");
    let rows = rows
        .into_iter()
        .map(|t| {
            let id = t.id;
            let (revoke_q, rotate_q) = (
                format!("Revoke the token {}? Scripts using it stop working at once.", t.name),
                format!("Issue a new secret for {}? The current secret stops working at once.", t.name),
            );
            let on_revoke = move |ev: leptos::ev::SubmitEvent| {
                if confirmed(&ev, &revoke_q) {
                    revoke.dispatch(RevokeToken { id });
                }
            };
            let on_rotate = move |ev: leptos::ev::SubmitEvent| {
                if confirmed(&ev, &rotate_q) {
                    rotate.dispatch(RotateToken { id });
                }
            };
            let (revoke_label, rotate_label) = (format!("Revoke {}", t.name), format!("Rotate {}", t.name));
            let state = match &t.revoked_at {
                Some(at) => format!("Revoked {}", day(at)),
                None => "Active".to_owned(),
            };
            let controls = t.revoked_at.is_none().then(|| view! {
                <form method="post" action="/admin/api/tokens/rotate" on:submit=on_rotate class="inline">
                    <input type="hidden" name="id" value=id/>
                    <button type="submit" aria-label=rotate_label>"Rotate"</button>
                </form>
                <form method="post" action="/admin/api/tokens/revoke" on:submit=on_revoke class="inline">
                    <input type="hidden" name="id" value=id/>
                    <button type="submit" class="danger" aria-label=revoke_label>"Revoke"</button>
                </form>
            });
            view! {
                <tr>
                    <td>{t.name.clone()}</td>
                    <td><code>{format!("iwk_{}_…", t.prefix)}</code></td>
                    <td>{TokenScope::join(&t.scopes)}</td>
                    <td>{t.owner.clone()}</td>
                    <td>{day(&t.created_at)}</td>
                    <td>{t.expires_at.as_ref().map(day).unwrap_or_else(|| "never".into())}</td>
                    <td>{t.last_used_at.as_ref().map(|u| format!("{} from {}", day(u), t.last_used_ip.clone().unwrap_or_default())).unwrap_or_else(|| "never".into())}</td>
                    <td>{state}</td>
                    <td>{controls}</td>
                </tr>
            }
        })
        .collect_view();
    Either::Right(view! {
        <table class="data">
            <caption class="visually-hidden">"API tokens"</caption>
            <thead><tr>
                <th scope="col">"Name"</th><th scope="col">"Prefix"</th><th scope="col">"Scopes"</th>
                <th scope="col">"Owner"</th><th scope="col">"Created (UTC)"</th><th scope="col">"Expires (UTC)"</th>
                <th scope="col">"Last used (UTC)"</th><th scope="col">"Status"</th>
                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    })
}
