//! The one place that runs `bindgen!` over `wit/`; the rest of the runtime uses its types.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "live-view",
    exports: { default: async },
});

pub use self::exports::liveplug::view::view as guest;
pub use self::liveplug::view::parts;
