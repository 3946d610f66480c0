//! Choosing superinstructions for the VM's copy of a code object.
//!
//! A superinstruction (see the last family in `bytecode/opcode.rs`) goes in
//! place of the first instruction of the sequence it stands for; the
//! instructions after it stay as they are, so nothing is renumbered and a
//! jump into the sequence runs the originals. Every position gets its own
//! choice, made on the original code, so choices may overlap: the one at
//! `p` decides where execution falls through to when it runs.
//!
//! Where sequences compete (`x = a; b[0]`: `StoreLocal; LoadLocal` or
//! `LoadLocal; LoadSmallInt; BinarySubscr`), the choice at each position
//! minimises the instructions dispatched along the straight-line path from
//! it, computed backwards from the end of the code.

use crate::bytecode::Instr;

/// The VM's copy of `instrs`, with superinstructions fused in.
pub fn fuse(instrs: &[Instr]) -> Box<[Instr]> {
    let n = instrs.len();
    let mut out = instrs.to_vec();
    // cost[p]: instructions dispatched from p to the end of the straight
    // line when every position runs its chosen form.
    let mut cost = vec![0usize; n + 1];
    for p in (0..n).rev() {
        let mut best = (1 + cost[p + 1], instrs[p]);
        for (fused, span) in candidates(&instrs[p..]) {
            let c = 1 + cost[p + span];
            if c < best.0 {
                best = (c, fused);
            }
        }
        cost[p] = best.0;
        out[p] = best.1;
    }
    out.into_boxed_slice()
}

/// The superinstructions that could replace `code[0]`, with the number of
/// instructions each stands for.
fn candidates(code: &[Instr]) -> Vec<(Instr, usize)> {
    use Instr::*;
    let at = |k: usize| code.get(k).copied();
    let small = |i: u32| u16::try_from(i).ok();
    let arith = |i: Option<Instr>| match i {
        Some(BinaryOp(op) | InplaceOp(op)) => Some(op),
        _ => None,
    };
    let mut out = Vec::new();
    let mut add = |fused: Option<Instr>, span: usize| {
        if let Some(f) = fused {
            out.push((f, span));
        }
    };
    match code[0] {
        LoadLocal(a) => {
            let Some(a) = small(a) else { return out };
            match at(1) {
                Some(LoadSmallInt(k)) => {
                    add(Some(LoadLocalInt(a, k)), 2);
                    match at(2) {
                        Some(BinarySubscr) => add(Some(SubscrLocalInt(a, k)), 3),
                        Some(Compare(op)) => add(Some(CompareLocalInt(op, a, k)), 3),
                        next => add(arith(next).map(|op| BinaryOpLocalInt(op, a, k)), 3),
                    }
                }
                Some(LoadLocal(b)) => {
                    let b = small(b);
                    add(b.map(|b| LoadLocal2(a, b)), 2);
                    if let (Some(b), Some(op)) = (b, arith(at(2))) {
                        add(Some(BinaryOpLocals(op, a, b)), 3);
                    }
                }
                Some(LoadAttr(i)) => add(small(i).map(|i| LoadAttrLocal(a, i)), 2),
                Some(StoreAttr(i)) => add(small(i).map(|i| StoreAttrLocal(a, i)), 2),
                Some(LoadMethod(i)) => add(small(i).map(|i| LoadMethodLocal(a, i)), 2),
                next => add(arith(next).map(|op| BinaryOpLocal(op, a)), 2),
            }
        }
        StoreLocal(a) => {
            if let (Some(a), Some(LoadLocal(b))) = (small(a), at(1)) {
                add(small(b).map(|b| StoreLocalLoadLocal(a, b)), 2);
            }
        }
        ForIter(t) => {
            if let Some(StoreLocal(a)) = at(1) {
                add(small(a).map(|a| ForIterStore(t, a)), 2);
            }
        }
        LoadConst(c) => {
            if let (Some(c), Some(op)) = (small(c), arith(at(1))) {
                add(Some(BinaryOpConst(op, c)), 2);
            }
        }
        BinaryOp(op) | InplaceOp(op) => {
            if let Some(StoreLocal(a)) = at(1) {
                let inplace = matches!(code[0], InplaceOp(_));
                add(small(a).map(|a| BinaryOpStore(op, a, inplace)), 2);
            }
        }
        Copy(2) => {
            if let (Some(Copy(2)), Some(BinarySubscr)) = (at(1), at(2)) {
                add(Some(SubscrDup), 3);
            }
        }
        Swap(3) => {
            if let (Some(Swap(2)), Some(StoreSubscr)) = (at(1), at(2)) {
                add(Some(StoreSubscrRot), 3);
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytecode::BinaryOp;
    use Instr::*;

    #[test]
    fn the_cheaper_path_wins_and_originals_stay() {
        // x = a; b[0]
        let code = [
            StoreLocal(0),
            LoadLocal(1),
            LoadSmallInt(0),
            BinarySubscr,
            ReturnValue,
        ];
        let fused = fuse(&code);
        assert_eq!(fused[0], StoreLocal(0));
        assert_eq!(fused[1], SubscrLocalInt(1, 0));
        assert_eq!(&fused[2..], &code[2..]);
        // a + b * c
        let code = [
            LoadLocal(0),
            LoadLocal(1),
            LoadLocal(2),
            BinaryOp(BinaryOp::Mul),
            BinaryOp(BinaryOp::Add),
        ];
        let fused = fuse(&code);
        assert_eq!(fused[0], LoadLocal(0));
        assert_eq!(fused[1], BinaryOpLocals(BinaryOp::Mul, 1, 2));
        assert_eq!(fused[0].first(), LoadLocal(0));
        assert_eq!(fused[1].first(), LoadLocal(1));
    }
}
