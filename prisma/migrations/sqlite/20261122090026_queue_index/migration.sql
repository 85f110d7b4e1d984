-- CreateIndex
CREATE INDEX "Ticket_state_regionId_idx" ON "Ticket"("state", "regionId");
