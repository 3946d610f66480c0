//! Argument binding for native functions whose parameters can be passed by
//! position or by name (CPython's "Argument Clinic" functions such as
//! `round(number, ndigits=None)` or `int.to_bytes(length=1, byteorder='big',
//! *, signed=False)`), with CPython's wording for every mismatch.

use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

/// The parameter list of a native function.
pub struct Params<'a> {
    /// The function name used in messages (`"round"`, `"to_bytes"`).
    pub fname: &'a str,
    /// Parameter names, positional-or-keyword ones first.
    pub names: &'a [&'a str],
    /// How many leading parameters are required.
    pub required: usize,
    /// How many leading parameters may be passed by position.
    pub max_positional: usize,
}

impl Params<'_> {
    /// Binds `args` and `kw` to the parameters: one slot per name, None
    /// where the argument was not given.
    pub fn bind(
        &self,
        vm: &mut Vm,
        args: &[Value],
        kw: &[(Value, Value)],
    ) -> PyResult<Vec<Option<Value>>> {
        let fname = self.fname;
        if args.len() > self.max_positional {
            let msg = if self.max_positional == self.names.len() {
                format!(
                    "{fname}() takes at most {} argument{} ({} given)",
                    self.max_positional,
                    plural(self.max_positional),
                    args.len()
                )
            } else {
                format!(
                    "{fname}() takes at most {} positional argument{} ({} given)",
                    self.max_positional,
                    plural(self.max_positional),
                    args.len()
                )
            };
            return Err(vm.type_error(msg));
        }
        let mut slots: Vec<Option<Value>> = vec![None; self.names.len()];
        for (slot, &a) in slots.iter_mut().zip(args) {
            *slot = Some(a);
        }
        // CPython reports a missing required argument before a bad keyword.
        let mut bad_keyword: Option<String> = None;
        for &(k, v) in kw {
            let key = vm.str_of(k);
            match self.names.iter().position(|n| *n == key) {
                Some(i) if slots[i].is_none() => slots[i] = Some(v),
                Some(i) => {
                    bad_keyword.get_or_insert_with(|| {
                        format!(
                            "argument for {fname}() given by name ('{key}') and position ({})",
                            i + 1
                        )
                    });
                }
                None => {
                    bad_keyword.get_or_insert_with(|| {
                        format!("'{key}' is an invalid keyword argument for {fname}()")
                    });
                }
            }
        }
        if let Some(i) = slots[..self.required].iter().position(Option::is_none) {
            let msg = format!(
                "{fname}() missing required argument '{}' (pos {})",
                self.names[i],
                i + 1
            );
            return Err(vm.type_error(msg));
        }
        if let Some(msg) = bad_keyword {
            return Err(vm.type_error(msg));
        }
        Ok(slots)
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
