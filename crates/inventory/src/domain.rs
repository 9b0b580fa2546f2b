//! Pricing and stock decisions. Pure: no I/O, no clock.

use events::{Money, OrderLine, PricedLine, Quantity, Reason, ReasonCode, Sku};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One catalogue entry with its stock counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StockItem {
    pub sku: Sku,
    pub name: String,
    pub unit_price: Money,
    pub available: u32,
    #[serde(default)]
    pub reserved: u32,
    #[serde(default)]
    pub shipped: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Reserve {
        lines: Vec<PricedLine>,
        amount: Money,
    },
    Reject(Reason),
}

/// Merges lines that name the same SKU, so a reservation takes one
/// conditional decrement per item (DynamoDB refuses two operations on one
/// item in a transaction).
pub fn merge_lines(lines: &[OrderLine]) -> Vec<OrderLine> {
    let mut merged: BTreeMap<&Sku, u32> = BTreeMap::new();
    for line in lines {
        *merged.entry(&line.sku).or_default() += line.quantity.get();
    }
    merged
        .into_iter()
        .map(|(sku, q)| OrderLine {
            sku: sku.clone(),
            // Capped: an order over the per-line maximum is out of stock
            // anyway, and the cap keeps the value representable.
            quantity: Quantity::parse(i64::from(q.min(Quantity::MAX)))
                .unwrap_or_else(|_| unreachable!("1..=MAX")),
        })
        .collect()
}

/// Prices the order from the catalogue and checks stock. Prices never come
/// from the client: the order carries only SKUs and quantities.
pub fn decide(lines: &[OrderLine], items: &[StockItem]) -> Decision {
    let find = |sku: &Sku| items.iter().find(|i| &i.sku == sku);
    let mut priced = Vec::with_capacity(lines.len());
    let mut currency = None;
    let mut total: i64 = 0;
    for line in lines {
        let Some(item) = find(&line.sku) else {
            return Decision::Reject(Reason::new(
                ReasonCode::UnknownSku,
                format!("{} is not in the catalogue", line.sku),
            ));
        };
        if item.available < line.quantity.get() {
            return Decision::Reject(out_of_stock(&line.sku, line.quantity.get(), item.available));
        }
        let currency = currency.get_or_insert_with(|| item.unit_price.currency.clone());
        if *currency != item.unit_price.currency {
            return Decision::Reject(Reason::new(
                ReasonCode::UnknownSku,
                format!(
                    "{} is priced in {}, the order in {currency}",
                    line.sku, item.unit_price.currency
                ),
            ));
        }
        total += item.unit_price.minor * i64::from(line.quantity.get());
        priced.push(PricedLine {
            sku: line.sku.clone(),
            quantity: line.quantity,
            unit_price: item.unit_price.clone(),
        });
    }
    match currency {
        Some(currency) => Decision::Reserve {
            lines: priced,
            amount: Money::new(total, currency),
        },
        None => Decision::Reject(Reason::new(
            ReasonCode::UnknownSku,
            "the order has no lines",
        )),
    }
}

pub fn out_of_stock(sku: &Sku, requested: u32, available: u32) -> Reason {
    Reason::new(
        ReasonCode::OutOfStock,
        format!("{sku}: {requested} requested, {available} available"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use events::Currency;

    fn item(sku: &str, price: i64, available: u32) -> StockItem {
        StockItem {
            sku: Sku::parse(sku).unwrap(),
            name: sku.into(),
            unit_price: Money::new(price, Currency::parse("USD").unwrap()),
            available,
            reserved: 0,
            shipped: 0,
        }
    }

    fn line(sku: &str, q: i64) -> OrderLine {
        OrderLine {
            sku: Sku::parse(sku).unwrap(),
            quantity: Quantity::parse(q).unwrap(),
        }
    }

    #[test]
    fn the_amount_is_the_sum_of_catalogue_prices_times_quantities() {
        let items = [item("A", 150, 10), item("B", 1000, 10)];
        let Decision::Reserve { amount, lines } = decide(&[line("A", 3), line("B", 2)], &items)
        else {
            panic!("expected a reservation")
        };
        assert_eq!(amount.minor, 2450);
        assert_eq!(lines[0].unit_price.minor, 150);
    }

    #[test]
    fn an_unknown_sku_is_rejected_naming_it() {
        let Decision::Reject(reason) = decide(&[line("NOPE", 1)], &[item("A", 1, 1)]) else {
            panic!("expected a rejection")
        };
        assert_eq!(reason.code, ReasonCode::UnknownSku);
        assert!(reason.message.contains("NOPE"));
    }

    #[test]
    fn asking_for_more_than_is_available_is_out_of_stock() {
        let Decision::Reject(reason) = decide(&[line("A", 3)], &[item("A", 1, 2)]) else {
            panic!("expected a rejection")
        };
        assert_eq!(reason.code, ReasonCode::OutOfStock);
    }

    #[test]
    fn lines_naming_the_same_sku_are_merged() {
        let merged = merge_lines(&[line("A", 2), line("B", 1), line("A", 3)]);
        assert_eq!(merged, vec![line("A", 5), line("B", 1)]);
    }
}
