//! The WebAssembly entry point. Pages are rendered on the server and stay plain HTML; only their
//! islands (the `#[island]` components of `app`) come alive here.

// The islands live in `app`: referencing it keeps their exports in the module.
#[allow(unused_imports)]
use app::*;
use leptos::prelude::*;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // The page's islands are hydrated right after this returns, each in a microtask; a timer
    // runs after them all. Tells end-to-end tests (and nothing else) that the page is live.
    set_timeout(
        || {
            if let Some(root) = document().document_element() {
                let _ = root.set_attribute("data-hydrated", "true");
            }
        },
        std::time::Duration::ZERO,
    );
}
