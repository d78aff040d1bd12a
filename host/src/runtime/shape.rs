//! How much of the instance pool one instance of a component takes: core instances, memories,
//! tables and table sizes. A Rust or C view has a handful of each; a Python or JavaScript
//! view bundles an interpreter and the WASI adapter, with more core instances and tables tens
//! of thousands of elements long. The pool is sized from the plugins found at start
//! ([`Shape::of_component`] on each file, before the engine exists), so that every one of them
//! instantiates; a component loaded later that needs more is refused with the limit named.

use wasmparser::{Instance, Parser, Payload};

/// What one instance of a component needs from the pooling allocator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Core module instances (`instantiate` entries, at any nesting depth).
    pub core_instances: u32,
    /// Linear memories defined by all its modules.
    pub memories: u32,
    /// Tables defined by all its modules.
    pub tables: u32,
    /// The most memories one module defines.
    pub memories_per_module: u32,
    /// The most tables one module defines.
    pub tables_per_module: u32,
    /// The largest initial table size (a table that grows past the pool's size traps).
    pub table_elements: u64,
}

impl Default for Shape {
    /// Enough for the Rust and C views built with the SDKs (the WASI adapter and its shims
    /// included), with room: the floor under any derived shape.
    fn default() -> Self {
        Self {
            core_instances: 4,
            memories: 2,
            tables: 4,
            memories_per_module: 1,
            tables_per_module: 1,
            table_elements: 20_000,
        }
    }
}

impl Shape {
    /// Reads the needs of the component in `bytes` without compiling it.
    ///
    /// # Errors
    /// When `bytes` is not a well-formed WebAssembly binary.
    pub fn of_component(bytes: &[u8]) -> Result<Self, String> {
        let mut shape = Self {
            core_instances: 0,
            memories: 0,
            tables: 0,
            memories_per_module: 0,
            tables_per_module: 0,
            table_elements: 0,
        };
        // Memories and tables of the module being read (modules nest inside components, not
        // inside modules). Imported ones belong to the instance of another module.
        let mut module = (0u32, 0u32);
        for payload in Parser::new(0).parse_all(bytes) {
            match payload.map_err(|e| e.to_string())? {
                Payload::ModuleSection { .. } => module = (0, 0),
                Payload::MemorySection(memories) => {
                    module.0 += memories.count();
                    shape.memories += memories.count();
                    shape.memories_per_module = shape.memories_per_module.max(module.0);
                }
                Payload::TableSection(tables) => {
                    for table in tables {
                        let table = table.map_err(|e| e.to_string())?;
                        shape.table_elements = shape.table_elements.max(table.ty.initial);
                        module.1 += 1;
                        shape.tables += 1;
                    }
                    shape.tables_per_module = shape.tables_per_module.max(module.1);
                }
                Payload::InstanceSection(instances) => {
                    for instance in instances {
                        if matches!(instance.map_err(|e| e.to_string())?, Instance::Instantiate { .. }) {
                            shape.core_instances += 1;
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(shape)
    }

    /// The shape that fits both.
    #[must_use]
    pub fn max(self, other: Self) -> Self {
        Self {
            core_instances: self.core_instances.max(other.core_instances),
            memories: self.memories.max(other.memories),
            tables: self.tables.max(other.tables),
            memories_per_module: self.memories_per_module.max(other.memories_per_module),
            tables_per_module: self.tables_per_module.max(other.tables_per_module),
            table_elements: self.table_elements.max(other.table_elements),
        }
    }

    /// Whether a component of shape `needed` fits in a pool sized for `self`; if not, what
    /// does not fit.
    pub fn fits(&self, needed: &Self) -> Result<(), String> {
        let checks = [
            ("core instances", u64::from(needed.core_instances), u64::from(self.core_instances)),
            ("memories", u64::from(needed.memories), u64::from(self.memories)),
            ("tables", u64::from(needed.tables), u64::from(self.tables)),
            ("memories in one module", u64::from(needed.memories_per_module), u64::from(self.memories_per_module)),
            ("tables in one module", u64::from(needed.tables_per_module), u64::from(self.tables_per_module)),
            ("table elements", needed.table_elements, self.table_elements),
        ];
        for (what, needed, limit) in checks {
            if needed > limit {
                return Err(format!(
                    "it needs {needed} {what} per instance and the instance pool was sized for {limit} at start \
                     (restart the host with this plugin in the plugins directory)"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Shape;

    fn wat(text: &str) -> Vec<u8> {
        wat::parse_str(text).expect("valid WAT")
    }

    #[test]
    fn counts_instances_memories_and_tables_of_nested_modules() {
        let bytes = wat(r#"(component
            (core module $a (memory 1) (table 30000 funcref) (table 5 funcref))
            (core module $b (import "a" "m" (memory 1)) (memory 1) (memory 2))
            (core instance $a1 (instantiate $a))
            (core instance $a2 (instantiate $a))
            (component $inner (core module $c) (core instance (instantiate $c)))
            (instance (instantiate $inner))
        )"#);
        let shape = Shape::of_component(&bytes).expect("parses");
        assert_eq!(shape.core_instances, 3);
        assert_eq!((shape.memories, shape.memories_per_module), (3, 2));
        assert_eq!((shape.tables, shape.tables_per_module, shape.table_elements), (2, 2, 30_000));
    }

    #[test]
    fn a_bigger_component_does_not_fit_a_pool_sized_for_a_smaller_one() {
        let big = Shape { core_instances: 12, table_elements: 40_000, ..Shape::default() };
        let pool = Shape::default();
        let error = pool.fits(&big).expect_err("does not fit");
        assert!(error.contains("12 core instances") && error.contains("sized for 4"), "{error}");
        assert_eq!(pool.max(big).fits(&big), Ok(()));
        assert!(Shape::of_component(b"not wasm").is_err());
    }
}
