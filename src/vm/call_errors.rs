//! Call errors that name the callee as CPython does: `f(*x)` with a
//! non-iterable `x`, `f(**m)` with a non-mapping `m` or a repeated keyword
//! (`__main__.f() got multiple values for keyword argument 'x'`).

use super::exceptions::ExcKind;
use super::object::Object;
use super::value::Value;
use super::{PyErr, PyResult, Vm};

impl Vm {
    /// CPython's `_PyObject_FunctionStr`: `module.qualname()` (no module
    /// for built-ins), as call errors name the callee.
    pub fn function_str(&mut self, f: Value) -> String {
        let target = match f {
            Value::Obj(r) => match self.heap.get(r) {
                Object::BoundMethod(m) => m.func,
                _ => f,
            },
            _ => f,
        };
        let qual = Value::Obj(self.intern("__qualname__"));
        let qualname = match self.get_attr_opt(target, qual) {
            Ok(Some(q)) if self.as_str(q).is_some() => self.str_of(q).to_string(),
            _ => return self.str_value(f).unwrap_or_default(),
        };
        let qualname = match target {
            Value::Obj(r) => match self.heap.get(r) {
                // Methods of built-in types are `type.name`.
                Object::Builtin(b) if !b.receiver.is_unbound() => {
                    format!("{}.{qualname}", self.type_name(b.receiver))
                }
                _ => qualname,
            },
            _ => qualname,
        };
        let module_key = Value::Obj(self.intern("__module__"));
        match self.get_attr_opt(target, module_key) {
            Ok(Some(m)) if self.as_str(m).is_some_and(|m| m != "builtins") => {
                format!("{}.{qualname}()", self.str_of(m))
            }
            _ => format!("{qualname}()"),
        }
    }

    /// Does `v`'s type support iteration (`__iter__` or `__getitem__`)?
    fn has_iter_protocol(&mut self, v: Value) -> bool {
        if let Value::Obj(r) = v {
            if !matches!(self.heap.get(r), Object::Instance(_) | Object::Native(_)) {
                return self.get_iter(v).is_ok();
            }
        } else {
            return false;
        }
        self.lookup_special(v, "__iter__").is_some()
            || self.lookup_special(v, "__getitem__").is_some()
    }

    /// The error of `*x` when `x` cannot be iterated: CPython's wording
    /// names the callee (`f(*x)`) or says "Value" (`[*x]`, `f(a, *x)`).
    pub(crate) fn star_arg_error(&mut self, e: PyErr, callee: Option<Value>, v: Value) -> PyErr {
        if !self.exc_matches(e.0, ExcKind::TypeError) || self.has_iter_protocol(v) {
            return e;
        }
        let tn = self.type_name(v);
        let msg = match callee {
            Some(f) => format!(
                "{} argument after * must be an iterable, not {tn}",
                self.function_str(f)
            ),
            None => format!("Value after * must be an iterable, not {tn}"),
        };
        self.type_error(msg)
    }

    /// `DictMerge` for a call's `**m`: keys must be strings and unique;
    /// errors name the callee, as CPython's `format_kwargs_error`.
    pub(crate) fn merge_call_kwargs(&mut self, callee: Value, d: Value, m: Value) -> PyResult<()> {
        let is_dict = matches!(m, Value::Obj(r) if matches!(self.heap.get(r), Object::Dict(_)));
        if !is_dict && self.lookup_special(m, "keys").is_none() {
            let msg = format!(
                "{} argument after ** must be a mapping, not {}",
                self.function_str(callee),
                self.type_name(m)
            );
            return Err(self.type_error(msg));
        }
        let merged = self.new_dict();
        self.temp_roots.push(merged);
        let r = self.dict_update(merged, m, false);
        let r = r.and_then(|_| self.add_new_keywords(callee, d, merged));
        self.temp_roots.pop();
        r
    }

    /// Adds the pairs of `src` to the keyword dict `d`, refusing repeats.
    fn add_new_keywords(&mut self, callee: Value, d: Value, src: Value) -> PyResult<()> {
        let pairs: Vec<(Value, Value)> = match src {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Dict(t) => t.iter().map(|e| (e.key, e.value)).collect(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        for (k, v) in pairs {
            if self.as_str(k).is_none() {
                return Err(self.type_error("keywords must be strings"));
            }
            if self.dict_lookup(d, k)?.is_some() {
                let msg = format!(
                    "{} got multiple values for keyword argument '{}'",
                    self.function_str(callee),
                    self.str_of(k)
                );
                return Err(self.type_error(msg));
            }
            self.dict_set(d, k, v)?;
        }
        Ok(())
    }
}
