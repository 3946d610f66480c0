//! Symbol-table tests: where each name lives in tricky cases (closures,
//! nonlocal chains, class scopes, comprehensions, the walrus, `super`),
//! checked against what CPython 3.11's `symtable` module reports for the
//! same source.

use aspy::compiler::scope::{
    NameScope, Scope, ScopeKind, SymbolTable, DEF_COMP_ITER, DEF_FREE_CLASS,
};
use aspy::parser::{parse_module, ParseMode};
use aspy::span::SourceFile;
use NameScope::*;

fn table(src: &str) -> SymbolTable {
    let file = SourceFile::new("t.aspy", src);
    let module = parse_module(&file, ParseMode::File).expect("parses");
    SymbolTable::build(&module, false).expect("symbol table")
}

/// The scope reached from the module by child names, e.g. `["f", "g"]`.
fn scope<'t>(t: &'t SymbolTable, path: &[&str]) -> &'t Scope {
    let mut cur = t.root();
    for name in path {
        cur = cur
            .children
            .iter()
            .map(|&c| &t.scopes[c])
            .find(|s| s.name == *name)
            .unwrap_or_else(|| panic!("no scope {name} in {}", cur.name));
    }
    cur
}

fn check(t: &SymbolTable, path: &[&str], name: &str, expected: NameScope) {
    let s = scope(t, path);
    assert_eq!(
        s.scope_of(name),
        Some(expected),
        "{name} in {path:?}: {:?}",
        s.lookup(name)
    );
}

#[test]
fn locals_and_globals() {
    let t = table(
        "x = 1\n\
         def f(a):\n    b = a\n    del c\n    return x, len\n\
         def g():\n    global x\n    x = 2\n",
    );
    check(&t, &["f"], "a", Local);
    check(&t, &["f"], "b", Local);
    check(&t, &["f"], "c", Local);
    check(&t, &["f"], "x", GlobalImplicit);
    check(&t, &["f"], "len", GlobalImplicit);
    check(&t, &["g"], "x", GlobalExplicit);
    assert_eq!(scope(&t, &["f"]).params, vec!["a".to_string()]);
}

#[test]
fn closures_pass_through_intermediate_scopes() {
    let t = table(
        "def outer():\n    v = 1\n    def middle():\n        def inner():\n            return v\n        return inner\n    return middle\n",
    );
    check(&t, &["outer"], "v", Cell);
    // `middle` never names `v`, but must carry it to `inner`.
    check(&t, &["outer", "middle"], "v", Free);
    check(&t, &["outer", "middle", "inner"], "v", Free);
    assert_eq!(scope(&t, &["outer", "middle"]).free_vars(), vec!["v"]);
}

#[test]
fn nonlocal_chain() {
    let t = table(
        "def a():\n    n = 0\n    def b():\n        nonlocal n\n        def c():\n            nonlocal n\n            n += 1\n        n = 5\n        return c\n    return b\n",
    );
    check(&t, &["a"], "n", Cell);
    check(&t, &["a", "b"], "n", Free);
    check(&t, &["a", "b", "c"], "n", Free);
}

#[test]
fn captured_parameters_become_cells() {
    let t = table("def f(p, q):\n    return lambda: p\n");
    check(&t, &["f"], "p", Cell);
    check(&t, &["f"], "q", Local);
    check(&t, &["f", "lambda"], "p", Free);
}

#[test]
fn class_scope_is_invisible_to_methods() {
    let t = table(
        "def f():\n    x = 1\n    class C:\n        x = 2\n        y = x\n        def m(self):\n            return x\n    return C\n",
    );
    check(&t, &["f"], "x", Cell);
    // In the class body `x` is a class-namespace name...
    check(&t, &["f", "C"], "x", Local);
    // ...which the class must also pass on to `m` as the function's cell.
    let c = scope(&t, &["f", "C"]);
    assert_ne!(c.flags("x") & DEF_FREE_CLASS, 0);
    assert_eq!(c.free_vars(), vec!["x"]);
    check(&t, &["f", "C", "m"], "x", Free);
}

#[test]
fn class_body_reads_enclosing_function_variable() {
    let t = table("def f():\n    y = 1\n    class C:\n        z = y\n    return C\n");
    check(&t, &["f"], "y", Cell);
    check(&t, &["f", "C"], "y", Free);
    check(&t, &["f", "C"], "z", Local);
}

#[test]
fn module_level_class_methods_see_globals() {
    let t = table("x = 1\nclass C:\n    x = 2\n    def m(self):\n        return x\n");
    check(&t, &["C", "m"], "x", GlobalImplicit);
    check(&t, &["C"], "x", Local);
}

#[test]
fn super_makes_a_class_cell() {
    let t = table(
        "class A(B):\n    def m(self):\n        return super().m()\n    def n(self):\n        def inner():\n            return __class__\n        return inner\n",
    );
    let a = scope(&t, &["A"]);
    assert!(a.needs_class_closure);
    assert_eq!(a.lookup("__class__").map(|s| s.scope), None);
    check(&t, &["A", "m"], "__class__", Free);
    check(&t, &["A", "n"], "__class__", Free);
    check(&t, &["A", "n", "inner"], "__class__", Free);
    assert!(t.root().lookup("__class__").is_none());
}

#[test]
fn class_without_super_has_no_cell() {
    let t = table("class A:\n    def m(self):\n        return self\n");
    assert!(!scope(&t, &["A"]).needs_class_closure);
}

#[test]
fn comprehension_is_its_own_scope() {
    let t = table("def f(data, k):\n    return [x * k for x in data if x]\n");
    let comp = scope(&t, &["f", "listcomp"]);
    assert_eq!(comp.kind, ScopeKind::Comprehension);
    assert_eq!(comp.params, vec![".0".to_string()]);
    check(&t, &["f", "listcomp"], "x", Local);
    assert_ne!(comp.flags("x") & DEF_COMP_ITER, 0);
    check(&t, &["f", "listcomp"], "k", Free);
    check(&t, &["f"], "k", Cell);
    // The first iterable is evaluated in `f`, so `data` is plain local.
    check(&t, &["f"], "data", Local);
    assert!(comp.lookup("data").is_none());
    assert!(scope(&t, &["f"]).lookup("x").is_none());
}

#[test]
fn comprehension_in_class_sees_class_names_only_in_first_iterable() {
    let t = table("class C:\n    xs = [1]\n    ys = [y for y in xs if y in xs]\n");
    check(&t, &["C"], "xs", Local);
    check(&t, &["C", "listcomp"], "xs", GlobalImplicit);
}

#[test]
fn walrus_in_comprehension_binds_in_enclosing_function() {
    let t = table("def f(items):\n    [last := i for i in items]\n    return last\n");
    check(&t, &["f"], "last", Cell);
    check(&t, &["f", "listcomp"], "last", Free);
    check(&t, &["f", "listcomp"], "i", Local);
}

#[test]
fn walrus_in_nested_comprehension_passes_through() {
    let t =
        table("def f(rows):\n    [[(seen := v) for v in row] for row in rows]\n    return seen\n");
    check(&t, &["f"], "seen", Cell);
    check(&t, &["f", "listcomp"], "seen", Free);
    check(&t, &["f", "listcomp", "listcomp"], "seen", Free);
}

#[test]
fn walrus_in_module_comprehension_is_global() {
    let t = table("[y := i for i in range(3)]\nprint(y)\n");
    check(&t, &[], "y", GlobalExplicit);
    check(&t, &["listcomp"], "y", GlobalExplicit);
}

#[test]
fn walrus_in_comprehension_under_global_declaration() {
    let t = table("def f(xs):\n    global g\n    [g := x for x in xs]\n");
    check(&t, &["f"], "g", GlobalExplicit);
    check(&t, &["f", "listcomp"], "g", GlobalExplicit);
}

#[test]
fn lambda_defaults_are_evaluated_outside() {
    let t = table("def f(d):\n    return lambda a, b=d: a + b\n");
    check(&t, &["f"], "d", Local);
    check(&t, &["f", "lambda"], "a", Local);
    check(&t, &["f", "lambda"], "b", Local);
    assert!(scope(&t, &["f", "lambda"]).lookup("d").is_none());
}

#[test]
fn generator_and_coroutine_flags() {
    let t = table(
        "def gen():\n    yield 1\n\
         def outer():\n    def inner():\n        yield\n    return inner\n\
         async def coro(s):\n    return [x async for x in s]\n\
         def agenexp(s):\n    return (x async for x in s)\n",
    );
    assert!(scope(&t, &["gen"]).is_generator);
    assert!(!scope(&t, &["outer"]).is_generator);
    assert!(scope(&t, &["outer", "inner"]).is_generator);
    assert!(scope(&t, &["coro", "listcomp"]).is_coroutine);
    assert!(scope(&t, &["coro"]).is_coroutine);
    let genexpr = scope(&t, &["agenexp", "genexpr"]);
    assert!(genexpr.is_coroutine && genexpr.is_generator);
    assert!(!scope(&t, &["agenexp"]).is_coroutine);
}

#[test]
fn private_names_are_mangled_in_classes() {
    let t = table(
        "class _Outer:\n    __a = 1\n    __b__ = 2\n    def m(self, __p):\n        return __p\n",
    );
    check(&t, &["_Outer"], "_Outer__a", Local);
    check(&t, &["_Outer"], "__b__", Local);
    check(&t, &["_Outer", "m"], "_Outer__p", Local);
    assert_eq!(
        scope(&t, &["_Outer", "m"]).params,
        vec!["self".to_string(), "_Outer__p".to_string()]
    );
}

#[test]
fn binding_statements_make_locals() {
    let t = table(
        "def f():\n    import os.path\n    from m import a as b\n    for i in ():\n        pass\n    with c() as w:\n        pass\n    try:\n        pass\n    except E as e:\n        pass\n    ann: int\n    class K:\n        pass\n",
    );
    for name in ["os", "b", "i", "w", "e", "ann", "K"] {
        check(&t, &["f"], name, Local);
    }
    check(&t, &["f"], "c", GlobalImplicit);
    assert!(scope(&t, &["f"]).lookup("a").is_none());
}
