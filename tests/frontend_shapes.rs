//! The shape of parsed expressions and statements: precedence and
//! associativity, the parenthesized `with` form, soft keywords, literal
//! concatenation. Trees are printed as compact S-expressions.

use aspy::ast::*;
use aspy::parser::{parse_module, ParseMode};
use aspy::span::SourceFile;

fn sx(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Name(n) => n.to_string(),
        ExprKind::Constant(Constant::Int(i)) => i.to_string(),
        ExprKind::Constant(Constant::Str(s)) => format!("{s:?}"),
        ExprKind::Constant(c) => format!("{c:?}"),
        ExprKind::BinOp { left, op, right } => {
            format!("({} {} {})", op.symbol(), sx(left), sx(right))
        }
        ExprKind::UnaryOp { op, operand } => format!("({op:?} {})", sx(operand)),
        ExprKind::BoolOp { op, values } => {
            format!(
                "({op:?} {})",
                values.iter().map(sx).collect::<Vec<_>>().join(" ")
            )
        }
        ExprKind::Compare {
            left,
            ops,
            comparators,
        } => {
            let mut s = format!("(cmp {}", sx(left));
            for (o, c) in ops.iter().zip(comparators) {
                s.push_str(&format!(" {} {}", o.symbol(), sx(c)));
            }
            s + ")"
        }
        ExprKind::IfExp { test, body, orelse } => {
            format!("(if {} {} {})", sx(test), sx(body), sx(orelse))
        }
        ExprKind::Await(v) => format!("(await {})", sx(v)),
        ExprKind::Attribute { value, attr } => format!("(. {} {})", sx(value), attr.name),
        ExprKind::Call {
            func,
            args,
            keywords,
        } => {
            let mut parts: Vec<String> = args.iter().map(sx).collect();
            parts.extend(keywords.iter().map(|k| match &k.arg {
                Some(a) => format!("{}={}", a.name, sx(&k.value)),
                None => format!("**{}", sx(&k.value)),
            }));
            format!("(call {} {})", sx(func), parts.join(" "))
        }
        ExprKind::Subscript { value, slice } => format!("([] {} {})", sx(value), sx(slice)),
        ExprKind::Tuple(v) => format!("(tuple {})", v.iter().map(sx).collect::<Vec<_>>().join(" ")),
        ExprKind::List(v) => format!("(list {})", v.iter().map(sx).collect::<Vec<_>>().join(" ")),
        ExprKind::Starred(v) => format!("(* {})", sx(v)),
        ExprKind::Lambda { body, .. } => format!("(lambda {})", sx(body)),
        ExprKind::NamedExpr { target, value } => format!("(:= {} {})", target.name, sx(value)),
        ExprKind::Slice { lower, upper, step } => {
            let f = |x: &Option<Box<Expr>>| x.as_ref().map_or("_".to_string(), |e| sx(e));
            format!("(slice {} {} {})", f(lower), f(upper), f(step))
        }
        other => format!("{other:?}"),
    }
}

fn module(text: &str) -> Module {
    let src = SourceFile::new("t", text);
    parse_module(&src, ParseMode::File).unwrap_or_else(|e| panic!("{}", e.render(&src)))
}

fn expr(text: &str) -> String {
    let m = module(&format!("{text}\n"));
    match &m.body[0].kind {
        StmtKind::Expr(e) => sx(e),
        other => panic!("{other:?}"),
    }
}

#[test]
fn arithmetic_precedence() {
    assert_eq!(expr("a + b * c"), "(+ a (* b c))");
    assert_eq!(expr("a * b + c"), "(+ (* a b) c)");
    assert_eq!(expr("a - b - c"), "(- (- a b) c)");
    assert_eq!(expr("a / b // c % d @ e"), "(@ (% (// (/ a b) c) d) e)");
    assert_eq!(
        expr("a | b ^ c & d << e + f * g"),
        "(| a (^ b (& c (<< d (+ e (* f g))))))"
    );
    assert_eq!(
        expr("a * b + c << d & e ^ f | g"),
        "(| (^ (& (<< (+ (* a b) c) d) e) f) g)"
    );
    assert_eq!(expr("a << b >> c"), "(>> (<< a b) c)");
    assert_eq!(expr("a + b * c - d"), "(- (+ a (* b c)) d)");
}

#[test]
fn power_and_unary() {
    assert_eq!(expr("-2 ** 2"), "(Neg (** 2 2))");
    assert_eq!(expr("2 ** -1"), "(** 2 (Neg 1))");
    assert_eq!(expr("2 ** 3 ** 2"), "(** 2 (** 3 2))");
    assert_eq!(expr("-a * b"), "(* (Neg a) b)");
    assert_eq!(expr("~a + +b"), "(+ (Invert a) (Pos b))");
    assert_eq!(expr("a ** b * c"), "(* (** a b) c)");
    assert_eq!(expr("not a == b"), "(Not (cmp a == b))");
    assert_eq!(expr("- - a"), "(Neg (Neg a))");
}

#[test]
fn boolean_comparison_conditional() {
    assert_eq!(expr("a or b and c"), "(Or a (And b c))");
    assert_eq!(
        expr("a and b or c and d or e"),
        "(Or (And a b) (And c d) e)"
    );
    assert_eq!(expr("a < b <= c != d"), "(cmp a < b <= c != d)");
    assert_eq!(
        expr("a in b not in c is d is not e"),
        "(cmp a in b not in c is d is not e)"
    );
    assert_eq!(expr("a | b < c & d"), "(cmp (| a b) < (& c d))");
    assert_eq!(expr("a if b else c if d else e"), "(if b a (if d c e))");
    assert_eq!(expr("lambda: a if b else c"), "(lambda (if b a c))");
    assert_eq!(expr("not a or b"), "(Or (Not a) b)");
}

#[test]
fn primaries_and_await() {
    assert_eq!(expr("a.b(c)[d].e"), "(. ([] (call (. a b) c) d) e)");
    assert_eq!(expr("f(a, *b, c=1, **d)"), "(call f a (* b) c=1 **d)");
    assert_eq!(
        expr("a[1:2, ::3]"),
        "([] a (tuple (slice 1 2 _) (slice _ _ 3)))"
    );
    assert_eq!(expr("a[*b]"), "([] a (tuple (* b)))");
    assert_eq!(expr("a[i, j]"), "([] a (tuple i j))");
    assert_eq!(expr("(x := 5) + 1"), "(+ (:= x 5) 1)");
    let m = module("async def f():\n    -await a.b ** 2\n");
    let StmtKind::FunctionDef(f) = &m.body[0].kind else {
        panic!()
    };
    let StmtKind::Expr(e) = &f.body[0].kind else {
        panic!()
    };
    assert_eq!(sx(e), "(Neg (** (await (. a b)) 2))");
}

#[test]
fn tuples_without_parentheses() {
    let m = module("x = 1,\nreturn_ = a, b\nfor x in a, b: pass\n");
    let StmtKind::Assign { value, .. } = &m.body[0].kind else {
        panic!()
    };
    assert_eq!(sx(value), "(tuple 1)");
    let StmtKind::For { iter, .. } = &m.body[2].kind else {
        panic!()
    };
    assert_eq!(sx(iter), "(tuple a b)");
    let m = module("def g():\n    yield a, b\n    return a, b\n");
    let StmtKind::FunctionDef(f) = &m.body[0].kind else {
        panic!()
    };
    let StmtKind::Return(Some(v)) = &f.body[1].kind else {
        panic!()
    };
    assert_eq!(sx(v), "(tuple a b)");
}

#[test]
fn parenthesized_with_items() {
    let items = |text: &str| -> Vec<(String, Option<String>)> {
        let m = module(text);
        let StmtKind::With { items, .. } = &m.body[0].kind else {
            panic!()
        };
        items
            .iter()
            .map(|i| (sx(&i.context), i.target.as_ref().map(sx)))
            .collect()
    };
    let s = |x: &str| x.to_string();
    assert_eq!(
        items("with (a as b, c as d):\n    pass\n"),
        vec![(s("a"), Some(s("b"))), (s("c"), Some(s("d")))]
    );
    assert_eq!(
        items("with (a, b):\n    pass\n"),
        vec![(s("a"), None), (s("b"), None)]
    );
    assert_eq!(
        items("with (a as b,):\n    pass\n"),
        vec![(s("a"), Some(s("b")))]
    );
    assert_eq!(
        items("with (a, b) as c:\n    pass\n"),
        vec![(s("(tuple a b)"), Some(s("c")))]
    );
    assert_eq!(
        items("with (a) as b, (c):\n    pass\n"),
        vec![(s("a"), Some(s("b"))), (s("c"), None)]
    );
    assert_eq!(items("with (f(x) for x in y):\n    pass\n").len(), 1);
    assert_eq!(
        items("with a as (b, c):\n    pass\n"),
        vec![(s("a"), Some(s("(tuple b c)")))]
    );
}

#[test]
fn elif_chains_nest_in_orelse() {
    let m = module("if a:\n    x\nelif b:\n    y\nelif c:\n    z\nelse:\n    w\n");
    let StmtKind::If { orelse, .. } = &m.body[0].kind else {
        panic!()
    };
    let StmtKind::If { test, orelse, .. } = &orelse[0].kind else {
        panic!()
    };
    assert_eq!(sx(test), "b");
    let StmtKind::If { test, orelse, .. } = &orelse[0].kind else {
        panic!()
    };
    assert_eq!(sx(test), "c");
    assert!(matches!(orelse[0].kind, StmtKind::Expr(_)));
}

#[test]
fn literals_concatenate() {
    assert_eq!(expr("'a' \"b\" '''c'''"), "\"abc\"");
    let m = module("x = 'a' f'{b}' 'c'\n");
    let StmtKind::Assign { value, .. } = &m.body[0].kind else {
        panic!()
    };
    let ExprKind::FString(parts) = &value.kind else {
        panic!()
    };
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[0], FStringPart::Literal("a".into()));
    assert_eq!(expr("b'a' b'b'"), "Bytes([97, 98])");
    assert_eq!(
        expr("123456789012345678901234567890"),
        "123456789012345678901234567890"
    );
}

#[test]
fn fstring_debug_and_conversions() {
    let m = module("x = f'{a=}{b=:>5}{c=!s}{d!a}'\n");
    let StmtKind::Assign { value, .. } = &m.body[0].kind else {
        panic!()
    };
    let ExprKind::FString(parts) = &value.kind else {
        panic!()
    };
    let conv: Vec<_> = parts
        .iter()
        .map(|p| match p {
            FStringPart::Formatted {
                conversion,
                debug_text,
                ..
            } => (*conversion, debug_text.clone()),
            _ => panic!(),
        })
        .collect();
    assert_eq!(
        conv,
        vec![
            (Some(Conversion::Repr), Some("a=".into())),
            (None, Some("b=".into())),
            (Some(Conversion::Str), Some("c=".into())),
            (Some(Conversion::Ascii), None),
        ]
    );
}

#[test]
fn parameters_are_classified() {
    let m = module("def f(a, b=1, /, c=2, *args, d, e=3, **kw): pass\n");
    let StmtKind::FunctionDef(f) = &m.body[0].kind else {
        panic!()
    };
    let p = &f.params;
    let names = |v: &[Param]| v.iter().map(|x| x.name.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&p.posonly), ["a", "b"]);
    assert_eq!(names(&p.args), ["c"]);
    assert_eq!(p.vararg.as_ref().unwrap().name.name, "args");
    assert_eq!(names(&p.kwonly), ["d", "e"]);
    assert_eq!(p.kwarg.as_ref().unwrap().name.name, "kw");
}
