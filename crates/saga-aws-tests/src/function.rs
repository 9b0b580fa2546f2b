//! The template's functions as the harness starts them: logical id,
//! binary, and the variables the template gives each (kept apart from the
//! emulator harness, `rie`, so the build helpers in `tools` can list the
//! binaries without depending on it).

/// A function of the template: its logical id, binary and variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Function {
    pub logical_id: &'static str,
    pub binary: &'static str,
    /// Table variable and the table it names (see `stack::TABLES`).
    pub table: Option<(&'static str, &'static str)>,
    pub extra_env: &'static [(&'static str, &'static str)],
}

impl Function {
    pub const ORDERS_API: Function =
        Function::new("OrdersApiFunction", "orders-api").with_table("ORDERS_TABLE", "OrdersTable");
    pub const ORDERS_CONSUMER: Function =
        Function::new("OrdersConsumerFunction", "orders-consumer")
            .with_table("ORDERS_TABLE", "OrdersTable");
    pub const OUTBOX_RELAY: Function = Function::new("OutboxRelayFunction", "outbox-relay");
    pub const INVENTORY: Function = Function::new("InventoryFunction", "inventory-consumer")
        .with_table("INVENTORY_TABLE", "InventoryTable");
    pub const PAYMENT: Function = Function {
        extra_env: &[("PAYMENT_DECLINE_OVER_MINOR", "500000")],
        ..Function::new("PaymentFunction", "payment-consumer")
            .with_table("PAYMENTS_TABLE", "PaymentsTable")
    };
    pub const SHIPPING: Function = Function {
        extra_env: &[("SHIPPING_UNSERVED_COUNTRIES", "AQ")],
        ..Function::new("ShippingFunction", "shipping-consumer")
            .with_table("SHIPMENTS_TABLE", "ShipmentsTable")
    };
    pub const DLQ: Function =
        Function::new("DlqFunction", "dlq-handler").with_table("DLQ_TABLE", "DlqTable");
    pub const DLQ_REDRIVE: Function =
        Function::new("DlqRedriveFunction", "dlq-redrive").with_table("DLQ_TABLE", "DlqTable");
    /// Its Athena resources are not created in moto: the harness runs its
    /// init and routes that need no query (the bench asks for an unknown
    /// report, answered 400 before any Athena call).
    pub const REPORTS: Function = Function {
        extra_env: &[
            ("ATHENA_WORKGROUP", "ordersaga-reports"),
            ("ATHENA_DATABASE", "ordersaga_lake"),
            ("REPORT_TIMEOUT_SECONDS", "25"),
            ("NAMED_QUERY_ORDERS_BY_STATUS", "q-orders-by-status"),
            ("NAMED_QUERY_CANCELLATION_REASONS", "q-cancellation-reasons"),
            ("NAMED_QUERY_TIME_TO_FINAL_STATE", "q-time-to-final-state"),
            ("NAMED_QUERY_REVENUE", "q-revenue"),
            ("NAMED_QUERY_DEAD_LETTERS", "q-dead-letters"),
        ],
        ..Function::new("ReportsFunction", "reports-api")
    };

    /// Every function of the template.
    pub const ALL: [Function; 9] = [
        Self::ORDERS_API,
        Self::ORDERS_CONSUMER,
        Self::OUTBOX_RELAY,
        Self::INVENTORY,
        Self::PAYMENT,
        Self::SHIPPING,
        Self::DLQ,
        Self::DLQ_REDRIVE,
        Self::REPORTS,
    ];

    const fn new(logical_id: &'static str, binary: &'static str) -> Function {
        Function {
            logical_id,
            binary,
            table: None,
            extra_env: &[],
        }
    }

    const fn with_table(self, var: &'static str, table: &'static str) -> Function {
        Function {
            table: Some((var, table)),
            ..self
        }
    }
}
