//! `/admin/tokens`: API tokens for automation. Admins create, revoke and rotate them; a secret is
//! shown once.

use crate::{
    api::tokens::{list_tokens, CreateToken},
    components::{AskFirst, ErrorNotice, FieldMessage, RowAction},
    domain::{TokenScope, TokenSummary},
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;

/// `/admin/tokens`. Admins only; others get the 403 page. Every form is a plain POST that comes
/// back here; a secret just issued shows once, at the top of the page.
#[component]
pub fn TokensPage() -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let tokens = Resource::new(|| (), |_| list_tokens());
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
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
                    Ok(rows) => Either::Left(view! { <TokenTable rows/> }),
                    Err(error) => Either::Right(view! { <ErrorNotice error/> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TokenTable(rows: Vec<TokenSummary>) -> impl IntoView {
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
            let (revoke_label, rotate_label) = (format!("Revoke {}", t.name), format!("Rotate {}", t.name));
            let state = match &t.revoked_at {
                Some(at) => format!("Revoked {}", day(at)),
                None => "Active".to_owned(),
            };
            let controls = t.revoked_at.is_none().then(|| view! {
                <AskFirst question=rotate_q>
                    <RowAction action="/admin/api/tokens/rotate" id label="Rotate" aria_label=rotate_label/>
                </AskFirst>
                <AskFirst question=revoke_q>
                    <RowAction action="/admin/api/tokens/revoke" id label="Revoke" aria_label=revoke_label danger=true/>
                </AskFirst>
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
