//! A request's move from one marketplace stage to another, written once: the compare-and-swap on
//! the request's stage and its `stage_moves` row, in the use case's unit of work.

use domain::{CompanyId, MarketplaceStage, MoveOrigin, RequestId, UserId};

use crate::{Result, Write};

impl Write {
    /// Records that `request` reached `to` (from `from`, none when accepting) by `origin`.
    pub async fn record_move(
        &mut self,
        company: CompanyId,
        request: RequestId,
        (from, to): (Option<MarketplaceStage>, MarketplaceStage),
        by: Option<UserId>,
        origin: MoveOrigin,
        at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO stage_moves (request_id, company_id, from_stage, to_stage, moved_by, origin, moved_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(request.0)
        .bind(company.0)
        .bind(from.map(MarketplaceStage::as_str))
        .bind(to.as_str())
        .bind(by.map(|u| u.0))
        .bind(origin.as_str())
        .bind(at)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Moves an accepted request from `from` to `to` unless someone moved it meanwhile (then
    /// `false`, nothing written), and records the move.
    pub async fn move_request_stage(
        &mut self,
        company: CompanyId,
        request: RequestId,
        (from, to): (MarketplaceStage, MarketplaceStage),
        by: Option<UserId>,
        origin: MoveOrigin,
        at: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE requests SET stage = $1 WHERE company_id = $2 AND id = $3 AND stage = $4 AND status = 'accepted'",
        )
        .bind(to.as_str())
        .bind(company.0)
        .bind(request.0)
        .bind(from.as_str())
        .execute(self.conn())
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        self.record_move(company, request, (Some(from), to), by, origin, at).await?;
        Ok(true)
    }
}
